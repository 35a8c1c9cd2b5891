import { Redis } from 'ioredis';
import { SANDBOX_CLOCK_STREAM, sandboxClockDecider } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { Clock } from './clock';

/** Where the sandbox clock stands now: during a move, the pass being run; shared by every process. */
export const SANDBOX_CLOCK_KEY = 'sandbox-clock:now';

/**
 * The sandbox clock: an instant kept in Redis, so the api and every worker
 * read the same time, which stands still until a move. Its moves are events
 * on their own stream; Redis only caches where the last one stands (or, in
 * the middle of a move, which day's pass is running). Lost from Redis, it is
 * read back from the stream.
 */
export class SandboxClock extends Clock {
  constructor(
    private readonly redis: Redis,
    private readonly streams: EventStreams,
    /** Where a clock never moved starts; undefined: the wall clock at first read. */
    private readonly start?: string,
  ) {
    super();
  }

  async now(): Promise<string> {
    return (await this.redis.get(SANDBOX_CLOCK_KEY)) ?? this.restore();
  }

  /**
   * At start: drops what Redis holds when the stream does not back it (Redis
   * kept from another store, or from a clock that has since been wiped), so
   * the clock is read back from this store's stream.
   */
  async reconcile(): Promise<void> {
    const cached = await this.redis.get(SANDBOX_CLOCK_KEY);
    if (cached === null) return;
    const { state } = await this.streams.aggregate(SANDBOX_CLOCK_STREAM, sandboxClockDecider);
    if (state.now === undefined || Date.parse(cached) > Date.parse(state.now)) await this.redis.del(SANDBOX_CLOCK_KEY);
  }

  /** Puts the clock at an instant the caller has decided it may stand at (a move's pass, or its end). */
  async standAt(instant: string): Promise<void> {
    await this.redis.set(SANDBOX_CLOCK_KEY, new Date(instant).toISOString());
  }

  /** Where the stream says the clock stands; on a stream never written, where it starts, recorded first so a restart finds it. */
  private async restore(): Promise<string> {
    const start = new Date(this.start ?? Date.now()).toISOString();
    const { state } = await this.streams.handle(
      SANDBOX_CLOCK_STREAM,
      sandboxClockDecider,
      { type: 'StartSandboxClock', data: { at: start } },
      {
        correlationId: 'sandbox-clock',
        commandId: `sandbox-clock-start-${start}`,
        partnerId: 'system',
        actor: 'system/sandbox-clock',
        now: start,
      },
    );
    const initial = state.now ?? start;
    // NX: processes restoring at once agree on one instant.
    await this.redis.set(SANDBOX_CLOCK_KEY, initial, 'NX');
    return (await this.redis.get(SANDBOX_CLOCK_KEY)) ?? initial;
  }
}
