import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { UsageRecord } from '@app/domain';
import { DiscountJob } from './discount-calculation';

/**
 * Jobs for a batch of usage: one per customer and hour range. The job id is a
 * fingerprint of the range and the records' contents, so ingesting the same
 * batch again does not queue the work twice while the first job is known, and
 * a correction (the same record id with other values, even values it had
 * before) queues a new job that recomputes its hour.
 */
export async function enqueueDiscounts(queue: Queue, jobs: DiscountJob[], records: UsageRecord[]): Promise<string[]> {
  const ids: string[] = [];
  for (const job of jobs) {
    const contents = records
      .filter((r) => r.customerId === job.customerId)
      .map((r) =>
        JSON.stringify([
          r.recordId,
          r.subscriptionId,
          r.resourceId,
          r.region,
          r.vmSize,
          r.hour,
          r.quantity,
          r.payAsYouGoRateUsd,
          r.licenseRateUsd ?? 0,
          r.spot ?? false,
          r.resourceGroup ?? null,
        ]),
      )
      .sort();
    const fingerprint = createHash('sha256')
      .update(`${job.fromHour}|${job.toHour}|${contents.join('\n')}`)
      .digest('hex')
      .slice(0, 32);
    // The usage version tells a change back to earlier values (v1, v2, v1 again) from a batch sent twice.
    const jobId = `discount-${job.customerId}-${fingerprint}${job.usageVersion === undefined ? '' : `-v${job.usageVersion}`}`;
    await queue.add('discount', job, {
      jobId,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: false,
    });
    ids.push(jobId);
  }
  return ids;
}
