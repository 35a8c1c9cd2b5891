import { StoredEvent } from '@app/eventstore-client';
import { ProjectedEvent } from '../projection';

/** An event of $all as projections and reactors see it. */
export const toProjectedEvent = (event: StoredEvent): ProjectedEvent => ({
  id: event.id,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  streamId: event.streamId,
  revision: Number(event.revision),
  position: event.position,
  created: event.created,
});
