import { Redis } from 'ioredis';
import { ProjectedEvent, Projection, ViewDocument, ViewWrite } from '../projection';
import { viewKeys } from '../view-keys';

/** A projection could not apply an event; it stops there and names the event. */
export class PoisonEventError extends Error {
  constructor(
    readonly projection: string,
    readonly event: ProjectedEvent,
    readonly cause: unknown,
  ) {
    super(
      `projection ${projection} cannot apply event ${event.type} ${event.id} ` +
        `(stream ${event.streamId} revision ${event.revision}, position ${event.position}): ${(cause as Error)?.message ?? String(cause)}`,
    );
    this.name = 'PoisonEventError';
  }
}

/** Another writer holds the projection now, or the live generation moved: this commit did not happen. */
export class FencedOutError extends Error {
  constructor(projection: string, reason: string) {
    super(`projection ${projection}: ${reason}`);
    this.name = 'FencedOutError';
  }
}

export interface BatchTarget {
  projection: Projection;
  generation: string;
  /** Last applied position; events at or before it are redeliveries and are skipped. */
  checkpoint: bigint | undefined;
  /** For the live writer: its fencing token, and that the live generation is still its own. */
  fence?: { token: string; liveGeneration: string };
}

export interface BatchResult {
  checkpoint: bigint | undefined;
  applied: number;
  /** Set when the batch stopped early on an event the projection cannot apply. */
  poison?: PoisonEventError;
}

/**
 * Applies a batch of events to a projection's views: loads the documents they
 * read, runs the pure projection, and writes the documents, the index changes
 * and the new checkpoint in one atomic write, checked against the fence for
 * the live writer. A crash before it loses the whole batch and it is
 * redelivered from the old checkpoint; after it, redelivery is skipped by
 * position. `advanceTo` moves the checkpoint past events the filter left out
 * (server checkpoints).
 */
export async function applyBatch(redis: Redis, target: BatchTarget, events: ProjectedEvent[], advanceTo?: bigint): Promise<BatchResult> {
  const { projection, generation } = target;
  const keys = viewKeys(projection.name);

  const base = await startingCheckpoint(redis, target);
  const fresh = events.filter((event) => base === undefined || event.position > base);

  const documents = await load(redis, projection, generation, fresh);
  const writes: ViewWrite[] = [];
  let checkpoint = base;
  let applied = 0;
  let poison: PoisonEventError | undefined;
  for (const event of fresh) {
    let produced: ViewWrite[];
    try {
      const reads = projection.reads(event);
      // A document already past this event has seen it: a redelivery, or a replay racing the live writer.
      if (reads.some((key) => BigInt(documents.get(key)?._position ?? -1) >= event.position)) {
        checkpoint = event.position;
        continue;
      }
      produced = projection.apply(event, Object.fromEntries(reads.map((key) => [key, documents.get(key)])));
    } catch (error) {
      poison = new PoisonEventError(projection.name, event, error);
      break;
    }
    for (const write of produced) {
      if (write.kind === 'put') {
        write.document._position = event.position.toString();
        documents.set(write.key, write.document);
      }
      writes.push(write);
    }
    checkpoint = event.position;
    applied++;
  }
  if (!poison && advanceTo !== undefined && (checkpoint === undefined || advanceTo > checkpoint)) checkpoint = advanceTo;

  if (checkpoint === base) return { checkpoint, applied, poison };
  const commands: RedisWrite[] = [];
  const finalDocuments = new Map<string, ViewDocument>();
  for (const write of writes) {
    if (write.kind === 'put') finalDocuments.set(write.key, write.document);
    else if (write.kind === 'index') commands.push(['ZADD', keys.key(generation, write.key), String(write.score), write.member]);
    else commands.push(['ZREM', keys.key(generation, write.key), write.member]);
  }
  for (const [key, document] of finalDocuments) commands.push(['SET', keys.key(generation, key), JSON.stringify(document)]);
  commands.push(['SET', keys.checkpoint(generation), checkpoint!.toString()]);
  await commitFenced(redis, target, commands);
  return { checkpoint, applied, poison };
}

/**
 * Where a commit starts: the caller's checkpoint, or the stored one when it
 * is ahead (a commit whose answer the caller dropped), since a checkpoint
 * never moves back. A fenced writer that lost its fence is refused here.
 */
export async function startingCheckpoint(redis: Redis, target: BatchTarget): Promise<bigint | undefined> {
  const [value] = await readFenced(redis, target, viewKeys(target.projection.name).checkpoint(target.generation));
  const stored = value === null ? undefined : BigInt(value);
  return stored !== undefined && (target.checkpoint === undefined || stored > target.checkpoint) ? stored : target.checkpoint;
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
export async function commitFenced(redis: Redis, target: BatchTarget, commands: RedisWrite[]): Promise<void> {
  const { fence, projection } = target;
  if (!fence) {
    const multi = redis.multi();
    for (const [command, key, ...args] of commands) multi.call(command, key, ...args);
    const result = await multi.exec();
    const failed = result?.find(([error]) => error);
    if (failed) throw failed[0] as Error;
    return;
  }
  const keys = viewKeys(projection.name);
  const args: string[] = [fence.token, fence.liveGeneration];
  for (const [command, , ...rest] of commands) args.push(command, String(rest.length), ...rest);
  const outcome = await redis.eval(FENCED_WRITE, 2 + commands.length, keys.fence, keys.live, ...commands.map(([, key]) => key), ...args);
  if (outcome === 'fenced') throw new FencedOutError(projection.name, 'another instance took over the projection during the commit');
  if (outcome === 'moved') throw new FencedOutError(projection.name, 'the live generation moved during the commit');
}

/**
 * For a fenced writer: refuses at once when its fencing token or the live
 * generation has moved (the commit checks them again, atomically). Reads
 * `alsoRead` in the same round trip.
 */
export async function readFenced(redis: Redis, target: BatchTarget, ...alsoRead: string[]): Promise<Array<string | null>> {
  const keys = viewKeys(target.projection.name);
  if (!target.fence) return alsoRead.length ? redis.mget(...alsoRead) : [];
  const [token, live, ...values] = await redis.mget(keys.fence, keys.live, ...alsoRead);
  const reason =
    token !== target.fence.token
      ? 'another instance took over the projection'
      : live !== target.fence.liveGeneration
        ? `live generation moved to ${live}`
        : undefined;
  if (reason) throw new FencedOutError(target.projection.name, reason);
  return values;
}

async function load(redis: Redis, projection: Projection, generation: string, events: ProjectedEvent[]): Promise<Map<string, ViewDocument>> {
  const keys = [...new Set(events.flatMap((event) => safeReads(projection, event)))];
  const documents = new Map<string, ViewDocument>();
  if (keys.length === 0) return documents;
  const values = await redis.mget(keys.map((key) => viewKeys(projection.name).key(generation, key)));
  keys.forEach((key, i) => {
    if (values[i] !== null) documents.set(key, JSON.parse(values[i]) as ViewDocument);
  });
  return documents;
}

/** Reading keys of a malformed event may itself throw; the apply step reports it properly. */
function safeReads(projection: Projection, event: ProjectedEvent): string[] {
  try {
    return projection.reads(event);
  } catch {
    return [];
  }
}
