import { Queue } from 'bullmq';
import { FULFILMENT_ATTEMPTS } from '@app/queues';
import { FulfilmentRequest } from '../order-fulfilment';

/** The one job name, id rule and options of a fulfilment job, for the hand-off and an operator's retry alike. */
export const FULFILMENT_JOB = 'fulfil-order';

export const fulfilmentJobId = (orderId: string) => `order-${orderId}`;

const jobOptions = (backoffMs: number) => ({
  attempts: FULFILMENT_ATTEMPTS,
  backoff: { type: 'exponential', delay: backoffMs, jitter: 0.5 },
  // Completed jobs are kept a while and then removed; removal frees the job id,
  // which is why fulfilment itself also ignores orders that are no longer pending.
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
});

/** Enqueues fulfilment of an order; `retryOf` makes a new job of an operator's retry instead of the original's id. */
export function enqueueFulfilment(
  queue: Queue<FulfilmentRequest>,
  request: FulfilmentRequest,
  backoffMs: number,
  retryOf?: { at: number },
): Promise<unknown> {
  const jobId = retryOf ? `${fulfilmentJobId(request.orderId)}-retry-${retryOf.at}` : fulfilmentJobId(request.orderId);
  return queue.add(FULFILMENT_JOB, request, { ...jobOptions(backoffMs), jobId });
}
