import { Queue } from 'bullmq';
import { ProjectedEvent, Projection } from '@app/projections';
import { FULFILMENT_ATTEMPTS } from '@app/queues';
import { FulfilmentRequest } from '../order-fulfilment';

/** The hand-off reads OrderPlaced from $all like a projection, but its "view" is the queue. */
export const orderHandoff: Projection = {
  name: 'fulfilment-handoff',
  eventTypes: ['OrderPlaced'],
  reads: () => [],
  apply: () => [],
};

export const fulfilmentJobId = (orderId: string) => `order-${orderId}`;

export const fulfilmentJobOptions = {
  attempts: FULFILMENT_ATTEMPTS,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  // Completed jobs are kept a while and then removed; removal frees the job id,
  // which is why fulfilment itself also ignores orders that are no longer pending.
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
};

/**
 * The hand-off's reaction: each OrderPlaced becomes one fulfilment job (the
 * reactor moves the checkpoint after). A crash in between re-enqueues after
 * restart; the job id derived from the order makes BullMQ drop the duplicate
 * while the first job exists.
 */
export function enqueueFulfilment(queue: Queue, backoffMs: number): (event: ProjectedEvent) => Promise<unknown> {
  return (event) => {
    const data: FulfilmentRequest = {
      orderId: event.data.orderId,
      placedEventId: event.id,
      correlationId: String(event.metadata.correlationId ?? event.id),
      partnerId: event.data.partnerId,
    };
    const backoff = { ...fulfilmentJobOptions.backoff, delay: backoffMs };
    return queue.add('fulfil-order', data, { ...fulfilmentJobOptions, backoff, jobId: fulfilmentJobId(data.orderId) });
  };
}
