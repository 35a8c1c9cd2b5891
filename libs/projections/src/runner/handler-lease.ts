import { Redis } from 'ioredis';
import { viewKeys } from '../view-keys';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** Extends a lease when `owner` still holds it; false when it does not. */
export const renewLease = async (redis: Redis, key: string, owner: string, ttlMs: number): Promise<boolean> =>
  (await redis.eval(RENEW, 1, key, owner, String(ttlMs))) === 1;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Keeps one writer per handler (a view or a reactor) across replicas: a
 * lease in Redis (SET NX PX, renewed while held) plus a fencing token. Every
 * new holder increments the token; the runner's commits check it in the
 * script that writes, so a writer that lost its lease while paused (GC,
 * network) can no longer commit, even late.
 */
export class HandlerLease {
  private token: string | undefined;
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly name: string,
    /** Who holds it: the runner, one id for all its handlers' leases. */
    readonly owner: string,
    private readonly ttlMs = 10_000,
  ) {}

  get fencingToken(): string | undefined {
    return this.token;
  }

  /** Tries once; true when this owner now holds the lease. */
  async acquire(onLost: () => void): Promise<boolean> {
    const keys = viewKeys(this.name);
    const taken = await this.redis.set(keys.lock, this.owner, 'PX', this.ttlMs, 'NX');
    if (taken !== 'OK') return false;
    this.token = String(await this.redis.incr(keys.fence));
    this.renewal = setInterval(() => {
      renewLease(this.redis, keys.lock, this.owner, this.ttlMs).then(
        (renewed) => {
          if (renewed) return;
          this.stopRenewing();
          onLost();
        },
        () => undefined, // Redis briefly unreachable: the next tick tries again before the lease runs out.
      );
    }, this.ttlMs / 3);
    this.renewal.unref();
    return true;
  }

  async release(): Promise<void> {
    this.stopRenewing();
    await this.redis.eval(RELEASE, 1, viewKeys(this.name).lock, this.owner).catch(() => undefined);
  }

  private stopRenewing(): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = undefined;
    this.token = undefined;
  }
}
