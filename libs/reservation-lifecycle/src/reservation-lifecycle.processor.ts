import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { delayedOnOutage, RESERVATION_LIFECYCLE_QUEUE } from '@app/queues';
import { LifecycleOutcome, ReservationLifecycle } from './reservation-lifecycle';

export interface LifecycleJob {
  /** The moment to act as of; the scheduler's jobs leave it out and use the time they run. */
  now?: string;
}

/** Runs the lifecycle pass daily at 00:05 UTC; operators can add a job with a `now` to run it at once. */
@Processor(RESERVATION_LIFECYCLE_QUEUE)
export class ReservationLifecycleProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReservationLifecycle');

  constructor(
    private readonly lifecycle: ReservationLifecycle,
    @InjectQueue(RESERVATION_LIFECYCLE_QUEUE) private readonly queue: Queue<LifecycleJob>,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // An upsert by id: every worker replica declares the same single schedule.
    await this.queue.upsertJobScheduler('daily', { pattern: '5 0 * * *', tz: 'UTC' }, { name: 'daily-pass', data: {} });
  }

  process(job: Job<LifecycleJob>, token?: string): Promise<LifecycleOutcome> {
    const now = job.data.now ?? new Date().toISOString();
    return delayedOnOutage(job, token, 5_000, this.logger, () => this.lifecycle.run(now, `lifecycle-${job.id}`));
  }
}
