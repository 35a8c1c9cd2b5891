import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { Redis } from 'ioredis';
import { delayedOnOutage, DISCOUNT_QUEUE, DISCOUNT_RECORDS_COUNTER, JOB_COUNTER } from '@app/queues';
import { DiscountCalculation, DiscountJob } from './discount-calculation';

@Processor(DISCOUNT_QUEUE, { concurrency: 4 })
export class DiscountProcessor extends WorkerHost {
  private readonly logger = new Logger('Discount');

  constructor(
    private readonly calculation: DiscountCalculation,
    @Inject(Redis) private readonly redis: Redis,
  ) {
    super();
  }

  async process(job: Job<DiscountJob>, token?: string) {
    try {
      const outcome = await delayedOnOutage(job, token, 1_000, this.logger, () => this.calculation.run(job.data));
      await this.redis
        .multi()
        .incrby(DISCOUNT_RECORDS_COUNTER, outcome.records)
        .incr(JOB_COUNTER(DISCOUNT_QUEUE, 'completed'))
        .exec();
      return outcome;
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      await this.redis.incr(JOB_COUNTER(DISCOUNT_QUEUE, 'failed')).catch(() => undefined);
      throw error;
    }
  }
}
