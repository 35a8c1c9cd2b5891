import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BatchCommit, BatchResult, BatchTarget, FencedOutError, ProjectedEvent, Projection, viewKeys, watchFence } from '@app/projections';
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
 * Commits a batch of OrderPlaced events by enqueueing one fulfilment job per
 * order, then moving the checkpoint (fenced, like a view commit). A crash
 * between the two re-enqueues after restart; the job id derived from the order
 * makes BullMQ drop the duplicate while the first job exists.
 */
export function enqueueFulfilment(queue: Queue, backoffMs: number): BatchCommit {
  return async (redis: Redis, target: BatchTarget, events: ProjectedEvent[], advanceTo?: bigint): Promise<BatchResult> => {
    const keys = viewKeys(target.projection.name);
    const fresh = events.filter((event) => target.checkpoint === undefined || event.position > target.checkpoint);
    for (const event of fresh) {
      const data: FulfilmentRequest = {
        orderId: event.data.orderId,
        placedEventId: event.id,
        correlationId: String(event.metadata.correlationId ?? event.id),
        partnerId: event.data.partnerId,
      };
      const backoff = { ...fulfilmentJobOptions.backoff, delay: backoffMs };
      await queue.add('fulfil-order', data, { ...fulfilmentJobOptions, backoff, jobId: fulfilmentJobId(data.orderId) });
    }
    let checkpoint = fresh.at(-1)?.position ?? target.checkpoint;
    if (advanceTo !== undefined && (checkpoint === undefined || advanceTo > checkpoint)) checkpoint = advanceTo;
    if (checkpoint === target.checkpoint) return { checkpoint, applied: 0 };
    await watchFence(redis, target);
    const result = await redis.multi().set(keys.checkpoint(target.generation), checkpoint!.toString()).exec();
    if (result === null) throw new FencedOutError(target.projection.name, 'the hand-off was taken over during the commit');
    return { checkpoint, applied: fresh.length };
  };
}
