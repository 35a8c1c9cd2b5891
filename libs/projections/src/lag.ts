import { EventStore } from '@app/eventstore-client';
import { Projection } from './projection';
import { ViewReader } from './view-reader';

/** What lag is measured of: a view or a reactor, by its name (its checkpoint) and the event types it takes. */
export type Follower = Pick<Projection, 'name' | 'eventTypes'>;

/** How far scanning goes; beyond it the lag is reported as "at least". */
const SCAN_LIMIT = 10_000;

export interface ProjectionLag {
  checkpoint?: string;
  /** Events of the projection's types written after its checkpoint. */
  eventsBehind: number;
  /** True when more were behind than were counted. */
  atLeast: boolean;
  /** Age of the oldest event not yet applied; 0 when caught up. */
  secondsBehind: number;
}

export interface UnappliedScan {
  checkpoint?: bigint;
  /** Events of the projection's types after its checkpoint (and at or before `upTo`, when given). */
  count: number;
  /** When the first of them was written. */
  oldest?: Date;
  /** The scan stopped at its limit, so there may be more. */
  truncated: boolean;
}

/**
 * Scans $all after a projection's checkpoint for the events it has yet to
 * apply, up to `limit` events read. Drained to the end (bounded by maxCount):
 * a read is never abandoned.
 */
export async function scanUnapplied(
  store: EventStore,
  views: ViewReader,
  projection: Follower,
  options: { limit: number; upTo?: bigint },
): Promise<UnappliedScan> {
  const checkpoint = await views.checkpoint(projection.name);
  const types = new Set(projection.eventTypes);
  const events = await store.readAll({ after: checkpoint, maxCount: options.limit });
  let count = 0;
  let oldest: Date | undefined;
  for (const event of events) {
    if (!types.has(event.type)) continue;
    if (options.upTo !== undefined && event.position > options.upTo) continue;
    count++;
    oldest ??= event.created;
  }
  return { checkpoint, count, oldest, truncated: events.length === options.limit };
}

export async function measureLag(store: EventStore, views: ViewReader, projection: Follower): Promise<ProjectionLag> {
  const { checkpoint, count, oldest, truncated } = await scanUnapplied(store, views, projection, { limit: SCAN_LIMIT });
  return {
    checkpoint: checkpoint?.toString(),
    eventsBehind: count,
    atLeast: truncated,
    secondsBehind: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0,
  };
}

/**
 * Whether a projection has applied every event of its types up to
 * `position`: its checkpoint is there, or none of its events lies between.
 * EventStoreDB sends a filtered subscription's checkpoints only every so many
 * events, so on a quiet store the checkpoint can stay behind an event the
 * projection does not take.
 */
export async function hasApplied(
  store: EventStore,
  views: ViewReader,
  projection: Follower,
  position: bigint,
): Promise<boolean> {
  const checkpoint = await views.checkpoint(projection.name);
  if (checkpoint !== undefined && checkpoint >= position) return true;
  const types = new Set(projection.eventTypes);
  for (let after = checkpoint; ;) {
    const page = await store.readAll({ after, maxCount: 1_000 });
    for (const event of page) {
      if (event.position > position) return true;
      if (types.has(event.type)) return false;
    }
    if (page.length < 1_000) return true;
    after = page[page.length - 1].position;
  }
}

/** Waits until `hasApplied`; false when it has not within the timeout. */
export async function appliedWithin(
  store: EventStore,
  views: ViewReader,
  projection: Follower,
  position: bigint,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await hasApplied(store, views, projection, position)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Whether every view and every reactor the runners report has applied all it
 * takes up to `position`: the system has done what the events so far ask of
 * it (a reactor's reaction included, as its checkpoint moves only after it).
 */
export async function everyRunnerApplied(
  store: EventStore,
  views: ViewReader,
  known: readonly Projection[],
  position: bigint,
): Promise<boolean> {
  const reported = (await views.allStatuses()).filter(
    (status) => status.eventTypes && !known.some((projection) => projection.name === status.name),
  );
  const runners: Follower[] = [
    ...known,
    ...reported.map((status) => ({ name: status.name, eventTypes: status.eventTypes! })),
  ];
  for (const runner of runners) if (!(await hasApplied(store, views, runner, position))) return false;
  return true;
}
