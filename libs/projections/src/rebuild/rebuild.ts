import { randomUUID } from 'node:crypto';
import { EventStore } from '@app/eventstore-client';
import { Redis } from 'ioredis';
import { escapeGlob, scanKeys } from '@app/redis';
import { ProjectedEvent, Projection } from '../projection';
import { applyBatch } from '../projector/apply-batch';
import { renewLease } from '../runner/handler-lease';
import { toProjectedEvent } from '../runner/all-stream';
import { INITIAL_GENERATION, viewKeys } from '../view-keys';

const BATCH = 1_000;
const REBUILD_LOCK_MS = 60_000;
const REBUILD_LOCK_RENEW_MS = 20_000;
/** Events read from $all at a time. */
const PAGE = 10_000;

export interface RebuildProgress {
  events: number;
  position: bigint;
  head: bigint;
  seconds: number;
}

export interface ViewDifference {
  projection: string;
  key: string;
  live: string | null;
  rebuilt: string | null;
}

interface FoldTarget {
  projection: Projection;
  types: Set<string>;
  generation: string;
  checkpoint: bigint | undefined;
  /** Fold no further than this position (verify compares at the live checkpoint). */
  until?: bigint;
  batch: ProjectedEvent[];
  /** The batch being written to Redis, while the next one is read and folded. */
  writing: Promise<void>;
}

/**
 * Folds events into each target's generation, reading $all once for all of
 * them from the earliest checkpoint. Returns how many events were read.
 */
async function fold(
  store: EventStore,
  redis: Redis,
  targets: FoldTarget[],
  onProgress?: (progress: RebuildProgress) => void,
): Promise<number> {
  const started = Date.now();
  const head = await store.headPosition();
  for (const target of targets) {
    const stored = await redis.get(viewKeys(target.projection.name).checkpoint(target.generation));
    target.checkpoint = stored === null ? undefined : BigInt(stored);
  }
  // A target's batches are written one after the other (each builds on the documents and checkpoint of the one before), but
  // while one is written the loop reads and sorts the next: the wait for Redis overlaps the reading of $all.
  const flush = async (target: FoldTarget) => {
    const batch = target.batch;
    target.batch = [];
    await target.writing;
    const { projection, generation, checkpoint } = target;
    target.writing = applyBatch(redis, { projection, generation, checkpoint }, batch).then((result) => {
      if (result.poison) throw result.poison;
      target.checkpoint = result.checkpoint;
    });
    target.writing.catch(() => undefined); // awaited by the next flush or at the end
  };
  const earliest = targets.some((t) => t.checkpoint === undefined)
    ? undefined
    : targets.reduce((min, t) => (t.checkpoint! < min ? t.checkpoint! : min), targets[0].checkpoint!);
  let read = 0;
  let position = 0n;
  // $all in pages, from just after the earliest checkpoint to the end; the next page is read while this one is applied.
  const readAfter = (after: bigint | undefined) => {
    const reading = store.readAll({ after, maxCount: PAGE });
    reading.catch(() => undefined); // awaited below; a failure after an earlier one must not go unhandled
    return reading;
  };
  for (let pending = readAfter(earliest); ;) {
    const page = await pending;
    if (page.length === 0) break;
    pending = readAfter(page[page.length - 1].position);
    for (const stored of page) {
      const event = toProjectedEvent(stored);
      read++;
      position = event.position;
      for (const target of targets) {
        if (!target.types.has(event.type)) continue;
        if (target.until !== undefined && event.position > target.until) continue;
        if (target.checkpoint !== undefined && event.position <= target.checkpoint) continue;
        target.batch.push(event);
        if (target.batch.length >= BATCH) await flush(target);
      }
      if (read % 5_000 === 0) onProgress?.({ events: read, position, head, seconds: (Date.now() - started) / 1000 });
    }
  }
  for (const target of targets) {
    if (target.batch.length > 0) await flush(target);
    await target.writing;
    // The target has seen every event up to where this pass stopped reading, not only up to its own last event: without
    // this, the catch-up pass would read again from a view's last event (from the start for a view with none).
    const seenThrough = target.until ?? (read > 0 ? position : undefined);
    if (
      seenThrough !== undefined &&
      seenThrough >= 0n &&
      (target.checkpoint === undefined || target.checkpoint < seenThrough)
    ) {
      await redis.set(viewKeys(target.projection.name).checkpoint(target.generation), seenThrough.toString());
      target.checkpoint = seenThrough;
    }
  }
  onProgress?.({
    events: read,
    position: position > head ? position : head,
    head,
    seconds: (Date.now() - started) / 1000,
  });
  return read;
}

const targetFor = (projection: Projection, generation: string, until?: bigint): FoldTarget => ({
  projection,
  types: new Set(projection.eventTypes),
  generation,
  checkpoint: undefined,
  until,
  batch: [],
  writing: Promise.resolve(),
});

/**
 * Rebuilds projections from position zero into fresh generations, then makes
 * each live with one SET. A live runner notices at its next commit (its
 * commit script checks the pointer first) and continues from the new
 * generation's checkpoint.
 * Old generations are deleted afterwards.
 */
export async function rebuildAndSwap(
  store: EventStore,
  redis: Redis,
  projections: readonly Projection[],
  onProgress?: (progress: RebuildProgress) => void,
): Promise<{ events: number; generations: Record<string, string> }> {
  const owner = randomUUID();
  const locked: Projection[] = [];
  // Held a minute at a time and renewed while the rebuild runs, so a rebuild killed with SIGKILL blocks the next for a minute at most.
  let lost: string | undefined;
  const renewal = setInterval(() => {
    for (const projection of locked) {
      void renewLease(redis, viewKeys(projection.name).rebuildLock, owner, REBUILD_LOCK_MS).then(
        (held) => (lost ??= held ? undefined : projection.name),
        () => undefined, // Redis away for a moment: the next renewal tries again
      );
    }
  }, REBUILD_LOCK_RENEW_MS);
  try {
    for (const projection of projections) {
      if ((await redis.set(viewKeys(projection.name).rebuildLock, owner, 'PX', REBUILD_LOCK_MS, 'NX')) !== 'OK') {
        throw new Error(`a rebuild of ${projection.name} is already running`);
      }
      locked.push(projection);
    }
    const generation = `r${Date.now()}`;
    const targets = projections.map((projection) => targetFor(projection, generation));
    let events = 0;
    const live = new Set<string>();
    try {
      events = await fold(store, redis, targets, onProgress);
      // Catch up on what arrived during the long pass, then swap.
      events += await fold(store, redis, targets, undefined);
      const held = await Promise.all(
        locked.map(async (projection) => (await redis.get(viewKeys(projection.name).rebuildLock)) === owner),
      );
      lost ??= locked.find((_, i) => !held[i])?.name;
      if (lost)
        throw new Error(
          `the rebuild lost its lock on ${lost} (another rebuild may have started); nothing was made live`,
        );
      for (const { projection } of targets) {
        const keys = viewKeys(projection.name);
        const previous = await redis.getset(keys.live, generation);
        live.add(projection.name);
        if (previous && previous !== generation) await deleteGeneration(redis, projection.name, previous);
      }
    } catch (error) {
      // A generation no one will make live would hold a copy of the views for good (Redis runs with noeviction).
      await Promise.all(
        targets
          .filter(({ projection }) => !live.has(projection.name))
          .map(({ projection, writing }) =>
            writing.catch(() => undefined).then(() => deleteGeneration(redis, projection.name, generation)),
          ),
      );
      throw error;
    }
    return { events, generations: Object.fromEntries(projections.map((p) => [p.name, generation])) };
  } finally {
    clearInterval(renewal);
    for (const projection of locked) {
      const key = viewKeys(projection.name).rebuildLock;
      if ((await redis.get(key)) === owner) await redis.del(key);
    }
  }
}

/**
 * Rebuilds into scratch keys up to each live checkpoint and compares every
 * document and index with the live views. Repeats while a live projection
 * moves on during the comparison.
 */
export async function verify(
  store: EventStore,
  redis: Redis,
  projections: readonly Projection[],
  onProgress?: (progress: RebuildProgress) => void,
): Promise<{ differences: ViewDifference[]; events: number }> {
  const scratch = `verify-${randomUUID()}`;
  let events = 0;
  let pending = [...projections];
  const differences: ViewDifference[] = [];
  try {
    for (let attempt = 0; pending.length > 0; attempt++) {
      const lives = await Promise.all(pending.map(async (projection) => liveState(redis, projection)));
      const targets = pending.map((projection, i) => targetFor(projection, scratch, lives[i].checkpoint ?? -1n));
      events += await fold(store, redis, targets, attempt === 0 ? onProgress : undefined);
      const moved: Projection[] = [];
      for (const [i, projection] of pending.entries()) {
        const found = await compare(redis, projection.name, lives[i].generation, scratch);
        const now = await liveState(redis, projection);
        if (now.checkpoint !== lives[i].checkpoint && attempt < 4) moved.push(projection);
        else differences.push(...found);
      }
      pending = moved;
    }
    return { differences, events };
  } finally {
    for (const projection of projections) await deleteGeneration(redis, projection.name, scratch);
  }
}

async function liveState(
  redis: Redis,
  projection: Projection,
): Promise<{ generation: string; checkpoint: bigint | undefined }> {
  const keys = viewKeys(projection.name);
  const generation = (await redis.get(keys.live)) ?? INITIAL_GENERATION;
  const checkpoint = await redis.get(keys.checkpoint(generation));
  return { generation, checkpoint: checkpoint === null ? undefined : BigInt(checkpoint) };
}

async function compare(redis: Redis, name: string, live: string, scratch: string): Promise<ViewDifference[]> {
  const keys = viewKeys(name);
  const [liveKeys, scratchKeys] = await Promise.all([
    scan(redis, keys.generation(live)),
    scan(redis, keys.generation(scratch)),
  ]);
  const relative = new Set([
    ...liveKeys.map((k) => k.slice(keys.generation(live).length)),
    ...scratchKeys.map((k) => k.slice(keys.generation(scratch).length)),
  ]);
  relative.delete('_checkpoint');
  const differences: ViewDifference[] = [];
  for (const key of [...relative].sort()) {
    const [a, b] = await Promise.all([render(redis, keys.key(live, key)), render(redis, keys.key(scratch, key))]);
    if (a !== b) differences.push({ projection: name, key, live: a, rebuilt: b });
  }
  return differences;
}

/** A key's value as comparable text: JSON documents, or a sorted set's members with scores. */
async function render(redis: Redis, key: string): Promise<string | null> {
  const type = await redis.type(key);
  if (type === 'none') return null;
  if (type === 'zset') return JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'));
  return redis.get(key);
}

const scan = (redis: Redis, prefix: string) => scanKeys(redis, `${escapeGlob(prefix)}*`);

export async function deleteGeneration(redis: Redis, name: string, generation: string): Promise<void> {
  const keys = await scan(redis, viewKeys(name).generation(generation));
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
}
