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
 * and the new checkpoint in one MULTI/EXEC. A crash before EXEC loses the whole
 * batch and it is redelivered from the old checkpoint; after EXEC, redelivery
 * is skipped by position. `advanceTo` moves the checkpoint past events the
 * filter left out (server checkpoints).
 *
 * `redis` must be a connection of the caller's own: WATCH is per connection.
 */
export async function applyBatch(redis: Redis, target: BatchTarget, events: ProjectedEvent[], advanceTo?: bigint): Promise<BatchResult> {
  const { projection, generation, fence } = target;
  const keys = viewKeys(projection.name);

  const [storedCheckpoint] = await watchFence(redis, target, keys.checkpoint(generation));
  // The stored checkpoint wins over the caller's when ahead: a checkpoint never moves back.
  const stored = storedCheckpoint === null ? undefined : BigInt(storedCheckpoint);
  const base = stored !== undefined && (target.checkpoint === undefined || stored > target.checkpoint) ? stored : target.checkpoint;
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

  if (checkpoint === base) {
    if (fence) await redis.unwatch();
    return { checkpoint, applied, poison };
  }
  const multi = redis.multi();
  const finalDocuments = new Map<string, ViewDocument>();
  for (const write of writes) {
    if (write.kind === 'put') finalDocuments.set(write.key, write.document);
    else if (write.kind === 'index') multi.zadd(keys.key(generation, write.key), write.score, write.member);
    else multi.zrem(keys.key(generation, write.key), write.member);
  }
  for (const [key, document] of finalDocuments) multi.set(keys.key(generation, key), JSON.stringify(document));
  multi.set(keys.checkpoint(generation), checkpoint!.toString());
  const result = await multi.exec();
  if (result === null) throw new FencedOutError(projection.name, 'the projection was taken over during the commit');
  const failed = result.find(([error]) => error);
  if (failed) throw failed[0] as Error;
  return { checkpoint, applied, poison };
}

/**
 * For a fenced writer: WATCHes its fencing token and the live generation, so
 * the MULTI/EXEC that follows fails if either moves, and refuses at once if
 * they already have. Reads `alsoRead` in the same round trip.
 */
export async function watchFence(redis: Redis, target: BatchTarget, ...alsoRead: string[]): Promise<Array<string | null>> {
  const keys = viewKeys(target.projection.name);
  if (!target.fence) return alsoRead.length ? redis.mget(...alsoRead) : [];
  await redis.watch(keys.fence, keys.live);
  const [token, live, ...values] = await redis.mget(keys.fence, keys.live, ...alsoRead);
  const reason =
    token !== target.fence.token
      ? 'another instance took over the projection'
      : live !== target.fence.liveGeneration
        ? `live generation moved to ${live}`
        : undefined;
  if (reason) {
    await redis.unwatch();
    throw new FencedOutError(target.projection.name, reason);
  }
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
