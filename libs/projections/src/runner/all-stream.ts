import { BACKWARDS, END, EventStoreDBClient, ResolvedEvent } from '@eventstore/db-client';
import { ProjectedEvent, Projection } from '../projection';

export function toProjectedEvent(resolved: ResolvedEvent): ProjectedEvent {
  const event = resolved.event!;
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: (event.metadata ?? {}) as Record<string, unknown>,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: resolved.commitPosition ?? event.position!.commit,
    created: event.created,
  };
}

/** Server-side filter on exactly the projection's event types. */
export function filterFor(projection: Projection) {
  const escape = (type: string) => type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { regex: `^(${projection.eventTypes.map(escape).join('|')})$` };
}

/** Commit position of the last event in $all (0 when empty). */
export async function headPosition(client: EventStoreDBClient): Promise<bigint> {
  let head = 0n;
  for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) head = resolved.commitPosition ?? head;
  return head;
}
