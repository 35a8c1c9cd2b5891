import { Projection } from '../projection';
import { SubscriptionHandler } from '../runner/handler';
import { applyBatch } from './apply-batch';

/** A view's projection as a handler of a subscription runner: each batch's view writes commit with its checkpoint. */
export const projector = (projection: Projection): SubscriptionHandler => ({
  kind: 'view',
  name: projection.name,
  eventTypes: projection.eventTypes,
  commit: (redis, target, events, advanceTo) => applyBatch(redis, { ...target, projection }, events, advanceTo),
});
