import { Redis } from 'ioredis';
import { ProjectedEvent, Projection, ViewDocument, ViewWrite } from '../projection';
import { commitFenced, RedisWrite, startingCheckpoint } from '../runner/fenced-commit';
import { BatchResult, CommitTarget, PoisonEventError } from '../runner/handler';
import { viewKeys } from '../view-keys';

/** Where a batch of a projection's view writes goes: a commit target, named by its projection. */
export type BatchTarget = Omit<CommitTarget, 'name'> & { projection: Projection };

/**
 * Applies a batch of events to a projection's views: loads the documents they
 * read, runs the pure projection, and writes the documents, the index changes
 * and the new checkpoint in one atomic write, checked against the fence for
 * the live writer. A crash before it loses the whole batch and it is
 * redelivered from the old checkpoint; after it, redelivery is skipped by
 * position. `advanceTo` moves the checkpoint past events the filter left out
 * (server checkpoints).
 */
export async function applyBatch(
  redis: Redis,
  target: BatchTarget,
  events: ProjectedEvent[],
  advanceTo?: bigint,
): Promise<BatchResult> {
  const { projection, generation } = target;
  const keys = viewKeys(projection.name);
  const commitTarget: CommitTarget = { ...target, name: projection.name };

  const base = await startingCheckpoint(redis, commitTarget);
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
  if (!poison && advanceTo !== undefined && (checkpoint === undefined || advanceTo > checkpoint))
    checkpoint = advanceTo;

  if (checkpoint === base) return { checkpoint, applied, poison };
  const commands: RedisWrite[] = [];
  const finalDocuments = new Map<string, ViewDocument>();
  for (const write of writes) {
    if (write.kind === 'put') finalDocuments.set(write.key, write.document);
    else if (write.kind === 'index')
      commands.push(['ZADD', keys.key(generation, write.key), String(write.score), write.member]);
    else commands.push(['ZREM', keys.key(generation, write.key), write.member]);
  }
  for (const [key, document] of finalDocuments)
    commands.push(['SET', keys.key(generation, key), JSON.stringify(document)]);
  commands.push(['SET', keys.checkpoint(generation), checkpoint!.toString()]);
  await commitFenced(redis, commitTarget, commands);
  return { checkpoint, applied, poison };
}

async function load(
  redis: Redis,
  projection: Projection,
  generation: string,
  events: ProjectedEvent[],
): Promise<Map<string, ViewDocument>> {
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
