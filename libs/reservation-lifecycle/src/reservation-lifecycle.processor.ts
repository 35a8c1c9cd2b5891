import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { Clock } from '@app/clock';
import { delayedOnOutage, RESERVATION_LIFECYCLE_QUEUE } from '@app/queues';
import { LifecycleOutcome, ReservationLifecycle } from './reservation-lifecycle';

/** Nothing: a job never says what time it is (the Clock does), so no one who can add a job can take payments ahead or expire reservations early. */
export type LifecycleJob = Record<string, never>;

/** Runs the lifecycle pass daily at 00:05 UTC, as of the Clock's time; operators can add a job to run it at once. */
@Processor(RESERVATION_LIFECYCLE_QUEUE)
export class ReservationLifecycleProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReservationLifecycle');

  constructor(
    private readonly lifecycle: ReservationLifecycle,
    @InjectQueue(RESERVATION_LIFECYCLE_QUEUE) private readonly queue: Queue<LifecycleJob>,
    private readonly clock: Clock,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // An upsert by id: every worker replica declares the same single schedule.
    await this.queue.upsertJobScheduler('daily', { pattern: '5 0 * * *', tz: 'UTC' }, { name: 'daily-pass', data: {} });
  }

  process(job: Job<LifecycleJob>, token?: string): Promise<LifecycleOutcome> {
    return delayedOnOutage(job, token, 5_000, this.logger, async () =>
      this.lifecycle.run(await this.clock.now(), `lifecycle-${job.id}`),
    );
  }
}
