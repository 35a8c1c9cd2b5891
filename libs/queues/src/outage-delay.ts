import { Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { isDependencyOutage } from '@app/runtime';

/**
 * Runs a job's work. When it fails because the event store or Redis is down,
 * the job is delayed by about `delayMs` without using up an attempt: the
 * outage is not the job's fault, and enough short outages in a row would
 * otherwise exhaust its attempts and park it.
 */
export async function delayedOnOutage<T>(
  job: Job,
  token: string | undefined,
  delayMs: number,
  logger: Logger,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isDependencyOutage(error) || !token) throw error;
    const delay = Math.round(delayMs * (0.5 + Math.random()));
    logger.warn(`job ${job.id}: ${(error as Error).message}; trying again in ${delay} ms`);
    await job.moveToDelayed(Date.now() + delay, token);
    throw new DelayedError();
  }
}
