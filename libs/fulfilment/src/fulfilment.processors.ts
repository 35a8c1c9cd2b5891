import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { AppConfig } from '@app/config';
import { Redis } from 'ioredis';
import {
  delayedOnOutage,
  FULFILMENT_DEAD_LETTER_QUEUE,
  FULFILMENT_QUEUE,
  JOB_COUNTER,
  startHeartbeat,
} from '@app/queues';
import { enqueueFulfilment } from './handoff/fulfilment-job';
import { FulfilmentOutcome, FulfilmentRequest, OrderFulfilment } from './order-fulfilment';

/**
 * Lock and stall timings must reach BullMQ when the worker is built, which is
 * when this decorator is evaluated; the worker process's environment is set
 * by then. A worker killed mid-job gives the job up once its lock expires.
 */
const lockDuration = Number(process.env.QUEUE_LOCK_MS ?? 30_000);
const workerTimings = { lockDuration, stalledInterval: Math.max(500, Math.floor(lockDuration / 2)) };

interface ParkedOrder extends FulfilmentRequest {
  reason: string;
  failedJobId: string;
  parked?: boolean;
}

/** Fulfils orders; transient failures retry with exponential backoff and jitter, then go to the dead-letter queue. */
@Processor(FULFILMENT_QUEUE, workerTimings)
export class FulfilmentProcessor extends WorkerHost implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Fulfilment');

  constructor(
    private readonly fulfilment: OrderFulfilment,
    @InjectQueue(FULFILMENT_DEAD_LETTER_QUEUE) private readonly deadLetters: Queue<ParkedOrder>,
    @Inject(ConfigService) private readonly config: AppConfig,
    @Inject(Redis) private readonly redis: Redis,
  ) {
    super();
  }

  private stopHeartbeat: (() => Promise<void>) | undefined;

  onModuleInit(): void {
    this.worker.concurrency = this.config.get('FULFILMENT_CONCURRENCY', { infer: true });
    this.stopHeartbeat = startHeartbeat(this.redis, () => ({
      queues: [FULFILMENT_QUEUE, FULFILMENT_DEAD_LETTER_QUEUE],
      consuming: this.worker.isRunning() && !this.worker.isPaused(),
    }));
  }

  async onModuleDestroy(): Promise<void> {
    await this.stopHeartbeat?.();
  }

  process(job: Job<FulfilmentRequest>, token?: string): Promise<FulfilmentOutcome> {
    const delayMs = this.config.get('FULFILMENT_BACKOFF_MS', { infer: true });
    return delayedOnOutage(job, token, delayMs, this.logger, () => this.fulfilment.fulfil(job.data));
  }

  @OnWorkerEvent('completed')
  async countCompleted(): Promise<void> {
    await this.redis.incr(JOB_COUNTER(FULFILMENT_QUEUE, 'completed')).catch(() => undefined);
  }

  @OnWorkerEvent('failed')
  async parkIfExhausted(job: Job<FulfilmentRequest> | undefined, error: Error): Promise<void> {
    await this.redis.incr(JOB_COUNTER(FULFILMENT_QUEUE, 'failed')).catch(() => undefined);
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    this.logger.error(
      `order ${job.data.orderId}: fulfilment gave up after ${job.attemptsMade} attempts (${error.message}); parked in ${FULFILMENT_DEAD_LETTER_QUEUE}`,
    );
    await this.deadLetters.add(
      'parked-order',
      { ...job.data, reason: error.message, failedJobId: String(job.id) },
      { jobId: `dead-${job.id}-${job.attemptsMade}` },
    );
  }
}

/**
 * Parks exhausted orders where operators see them: each job fails at once
 * with the reason. Retrying it from the dashboard sends the order back to
 * fulfilment.
 */
@Processor(FULFILMENT_DEAD_LETTER_QUEUE, workerTimings)
export class DeadLetterProcessor extends WorkerHost {
  constructor(
    @InjectQueue(FULFILMENT_QUEUE) private readonly fulfilmentQueue: Queue<FulfilmentRequest>,
    @Inject(ConfigService) private readonly config: AppConfig,
  ) {
    super();
  }

  async process(job: Job<ParkedOrder>): Promise<string> {
    if (!job.data.parked) {
      await job.updateData({ ...job.data, parked: true });
      throw new UnrecoverableError(
        `fulfilment attempts exhausted: ${job.data.reason}. Retry this job to send order ${job.data.orderId} back to fulfilment.`,
      );
    }
    const { orderId, placedEventId, correlationId, partnerId } = job.data;
    await enqueueFulfilment(
      this.fulfilmentQueue,
      { orderId, placedEventId, correlationId, partnerId },
      this.config.get('FULFILMENT_BACKOFF_MS', { infer: true }),
      { at: Date.now() },
    );
    return `order ${orderId} sent back to fulfilment`;
  }
}
