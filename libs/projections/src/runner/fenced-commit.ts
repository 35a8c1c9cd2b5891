import { Redis } from 'ioredis';
import { viewKeys } from '../view-keys';
import { CommitTarget } from './handler';

/** Another writer holds the handler now, or the live generation moved: this commit did not happen. */
export class FencedOutError extends Error {
  constructor(name: string, reason: string) {
    super(`projection ${name}: ${reason}`);
    this.name = 'FencedOutError';
  }
}

/** One write of a commit: the command, its key, its arguments. */
export type RedisWrite = [command: 'SET' | 'ZADD' | 'ZREM', key: string, ...args: string[]];

/**
 * Checks the fence and the live generation and writes, in one script: the
 * check and the writes cannot come apart, whatever happens to the connection
 * in between (a WATCH is lost with a connection that reconnects, and the
 * client resends the MULTI on the new one).
 */
const FENCED_WRITE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'fenced' end
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 'moved' end
local i = 3
for k = 3, #KEYS do
  local command, count = ARGV[i], tonumber(ARGV[i + 1])
  redis.call(command, KEYS[k], unpack(ARGV, i + 2, i + 1 + count))
  i = i + 2 + count
end
return 'ok'
`;

/** Writes `commands` together: checked against the fence for the live writer, in one MULTI/EXEC otherwise (a rebuild's own generation). */
export async function commitFenced(redis: Redis, target: CommitTarget, commands: RedisWrite[]): Promise<void> {
  const { fence, name } = target;
  if (!fence) {
    const multi = redis.multi();
    for (const [command, key, ...args] of commands) multi.call(command, key, ...args);
    const result = await multi.exec();
    const failed = result?.find(([error]) => error);
    if (failed) throw failed[0] as Error;
    return;
  }
  const keys = viewKeys(name);
  const args: string[] = [fence.token, fence.liveGeneration];
  for (const [command, , ...rest] of commands) args.push(command, String(rest.length), ...rest);
  const outcome = await redis.eval(
    FENCED_WRITE,
    2 + commands.length,
    keys.fence,
    keys.live,
    ...commands.map(([, key]) => key),
    ...args,
  );
  if (outcome === 'fenced')
    throw new FencedOutError(name, 'another instance took over the projection during the commit');
  if (outcome === 'moved') throw new FencedOutError(name, 'the live generation moved during the commit');
}

/**
 * For a fenced writer: refuses at once when its fencing token or the live
 * generation has moved (the commit checks them again, atomically). Reads
 * `alsoRead` in the same round trip.
 */
export async function readFenced(
  redis: Redis,
  target: CommitTarget,
  ...alsoRead: string[]
): Promise<Array<string | null>> {
  const keys = viewKeys(target.name);
  if (!target.fence) return alsoRead.length ? redis.mget(...alsoRead) : [];
  const [token, live, ...values] = await redis.mget(keys.fence, keys.live, ...alsoRead);
  const reason =
    token !== target.fence.token
      ? 'another instance took over the projection'
      : live !== target.fence.liveGeneration
        ? `live generation moved to ${live}`
        : undefined;
  if (reason) throw new FencedOutError(target.name, reason);
  return values;
}

/**
 * Where a commit starts: the caller's checkpoint, or the stored one when it
 * is ahead (a commit whose answer the caller dropped), since a checkpoint
 * never moves back. A fenced writer that lost its fence is refused here.
 */
export async function startingCheckpoint(redis: Redis, target: CommitTarget): Promise<bigint | undefined> {
  const [value] = await readFenced(redis, target, viewKeys(target.name).checkpoint(target.generation));
  const stored = value === null ? undefined : BigInt(value);
  return stored !== undefined && (target.checkpoint === undefined || stored > target.checkpoint)
    ? stored
    : target.checkpoint;
}
