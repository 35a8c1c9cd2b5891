import { Queue } from 'bullmq';
import { WEBHOOKS_QUEUE } from '@app/queues';

export { WEBHOOKS_QUEUE };

export interface DeliveryJob {
  partnerId: string;
  webhookId: string;
  deliveryId: string;
}

const HOUR = 3_600_000;
/**
 * The Standard Webhooks retry schedule, after the first attempt: 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h; its last step is repeated until about three
 * days have passed (issue #29), 67.6 h in all. WEBHOOK_RETRY_SCHEDULE_MS
 * replaces it (tests use a short one).
 */
export const STANDARD_RETRY_SCHEDULE_MS = [
  5_000,
  300_000,
  1_800_000,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
  10 * HOUR,
  10 * HOUR,
  10 * HOUR,
  10 * HOUR,
];

export function retryScheduleMs(setting = process.env.WEBHOOK_RETRY_SCHEDULE_MS): number[] {
  if (!setting) return STANDARD_RETRY_SCHEDULE_MS;
  const steps = setting.split(',').map((step) => Number(step.trim()));
  if (steps.length === 0 || steps.some((step) => !Number.isInteger(step) || step < 0))
    throw new Error(`WEBHOOK_RETRY_SCHEDULE_MS must be comma-separated whole milliseconds, not ${setting}`);
  return steps;
}

export async function enqueueDelivery(queue: Queue<DeliveryJob>, job: DeliveryJob, delayMs = 0): Promise<void> {
  await queue.add('deliver', job, {
    jobId: job.deliveryId,
    attempts: retryScheduleMs().length + 1,
    backoff: { type: 'webhook-schedule' },
    delay: delayMs,
    removeOnComplete: { age: 3_600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3_600 },
  });
}
