import { BullModule, InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { delayedOnOutage } from '@app/queues';
import { AnchorRun, AuditAnchorRecorder } from './anchor-recorder';

/** The daily anchor job's queue (its own, beside the ones libs/queues names). */
export const AUDIT_ANCHORS_QUEUE = 'audit-anchors';

/** Nothing: the job reads the time from the Clock, and anchors what the store holds when it runs. */
export type AuditAnchorJob = Record<string, never>;

/** Records every customer's audit chain head daily at 00:15 UTC, after the lifecycle pass of 00:05; operators can add a job to run it at once. */
@Processor(AUDIT_ANCHORS_QUEUE)
export class AuditAnchorProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuditAnchors');

  constructor(
    private readonly recorder: AuditAnchorRecorder,
    @InjectQueue(AUDIT_ANCHORS_QUEUE) private readonly queue: Queue<AuditAnchorJob>,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // An upsert by id: every worker replica declares the same single schedule.
    await this.queue.upsertJobScheduler(
      'daily',
      { pattern: '15 0 * * *', tz: 'UTC' },
      { name: 'daily-anchors', data: {} },
    );
  }

  process(job: Job<AuditAnchorJob>, token?: string): Promise<AnchorRun> {
    return delayedOnOutage(job, token, 5_000, this.logger, async () => {
      const run = await this.recorder.run(`audit-anchors-${job.id}`);
      this.logger.log(
        `audit anchors at ${run.at}: ${run.recorded} recorded, ${run.unchanged} unchanged, ${run.rewritten.length} histories rewritten`,
      );
      return run;
    });
  }
}

/** The recorder alone (the api lists anchors; tests run it). */
@Module({ providers: [AuditAnchorRecorder], exports: [AuditAnchorRecorder] })
export class AuditAnchorRecorderModule {}

/** In the worker: the daily anchor job. */
@Module({
  imports: [AuditAnchorRecorderModule, BullModule.registerQueue({ name: AUDIT_ANCHORS_QUEUE })],
  providers: [AuditAnchorProcessor],
})
export class AuditAnchorsModule {}
