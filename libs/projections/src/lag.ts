import { EventStoreDBClient, START } from '@eventstore/db-client';
import { Projection } from './projection';
import { ViewReader } from './view-reader';

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

export async function measureLag(client: EventStoreDBClient, views: ViewReader, projection: Projection): Promise<ProjectionLag> {
  const checkpoint = await views.checkpoint(projection.name);
  const types = new Set(projection.eventTypes);
  const from = checkpoint === undefined ? START : { commit: checkpoint + 1n, prepare: checkpoint + 1n };
  let eventsBehind = 0;
  let scanned = 0;
  let oldest: Date | undefined;
  for await (const { event } of client.readAll({ fromPosition: from, maxCount: SCAN_LIMIT })) {
    scanned++;
    if (!event || !types.has(event.type)) continue;
    eventsBehind++;
    oldest ??= event.created;
  }
  return {
    checkpoint: checkpoint?.toString(),
    eventsBehind,
    atLeast: scanned === SCAN_LIMIT,
    secondsBehind: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0,
  };
}
