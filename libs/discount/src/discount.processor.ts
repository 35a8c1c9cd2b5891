import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { DISCOUNT_QUEUE, DISCOUNT_RECORDS_COUNTER, JOB_COUNTER } from '@app/queues';
import { DiscountCalculation, DiscountJob } from './discount-calculation';

@Processor(DISCOUNT_QUEUE, { concurrency: 4 })
export class DiscountProcessor extends WorkerHost {
  constructor(
    private readonly calculation: DiscountCalculation,
    @Inject(Redis) private readonly redis: Redis,
  ) {
    super();
  }

  async process(job: Job<DiscountJob>) {
    try {
      const outcome = await this.calculation.run(job.data);
      await this.redis.multi().incrby(DISCOUNT_RECORDS_COUNTER, outcome.records).incr(JOB_COUNTER(DISCOUNT_QUEUE, 'completed')).exec();
      return outcome;
    } catch (error) {
      await this.redis.incr(JOB_COUNTER(DISCOUNT_QUEUE, 'failed')).catch(() => undefined);
      throw error;
    }
  }
}
