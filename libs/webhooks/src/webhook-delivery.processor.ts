import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DelayedError, Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { DomainError } from '@app/domain';
import { delayedOnOutage, JOB_COUNTER } from '@app/queues';
import { Deliveries } from './deliveries';
import { ExpiryNotices } from './expiry-notices';
import { UrlPolicy } from './url-guard';
import { sendSigned } from './webhook-sender';
import { signingSecrets } from '@app/domain';
import { WebhookRegistryService } from './webhook-registry';
import { DeliveryJob, retryScheduleMs, WEBHOOKS_QUEUE } from './webhook-queue';

const DAY_MS = 86_400_000;
/** An endpoint whose deliveries have failed for this long, on the Clock, is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * DAY_MS;
/** How often the worker looks for expiry notices fallen due, as of the Clock. */
const NOTICE_PASS_EVERY_MS = 60_000;

const lockDuration = Number(process.env.QUEUE_LOCK_MS ?? 30_000);
/** How long a delivery waiting its turn sleeps unless woken: it is woken when the one before it ends. */
const FOLLOWER_WAIT_MS = 30_000;

/** An attempt the receiver failed (status, timeout, connection refused): BullMQ retries it on the schedule. */
export class DeliveryAttemptFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryAttemptFailed';
  }
}
const schedule = retryScheduleMs();

/**
 * Delivers each notification to an endpoint, one at a time per endpoint in
 * the order they were made: a delivery whose turn it is not yet waits
 * (delayed, using up no attempt) until the one before it is delivered or
 * given up. A failed attempt is retried on the Standard Webhooks schedule;
 * the last failure marks the delivery failed, and an endpoint that has been
 * failing for 5 days is disabled with the reason. The queue's other job, the
 * notice pass, looks for renewal and expiry notices fallen due.
 */
@Processor(WEBHOOKS_QUEUE, {
  lockDuration,
  stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
  settings: { backoffStrategy: (attemptsMade: number) => schedule[Math.min(attemptsMade, schedule.length) - 1] ?? 0 },
})
export class WebhookDeliveryProcessor extends WorkerHost implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Webhooks');
  private readonly policy: UrlPolicy;

  constructor(
    private readonly deliveries: Deliveries,
    private readonly registry: WebhookRegistryService,
    private readonly notices: ExpiryNotices,
    private readonly clock: Clock,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue,
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ConfigService) config: AppConfig,
  ) {
    super();
    this.policy = { production: config.get('NODE_ENV', { infer: true }) === 'production' };
  }

  onModuleInit(): void {
    const concurrency = Number(process.env.WEBHOOK_CONCURRENCY ?? 16);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error(
        `WEBHOOK_CONCURRENCY must be a whole number of at least 1, not ${process.env.WEBHOOK_CONCURRENCY}`,
      );
    this.worker.concurrency = concurrency;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      'expiry-notices',
      { every: NOTICE_PASS_EVERY_MS },
      { name: 'expiry-notices', data: {} },
    );
  }

  async process(job: Job, token?: string): Promise<string> {
    if (job.name === 'expiry-notices') {
      return delayedOnOutage(
        job,
        token,
        5_000,
        this.logger,
        async () => `${await this.notices.run(await this.clock.now())} notices`,
      );
    }
    const outcome = await delayedOnOutage(job, token, 5_000, this.logger, () =>
      this.deliver(job as Job<DeliveryJob>, token),
    );
    // Thrown out here, not inside: a receiver that refuses connections is an attempt failed, not an outage of ours to wait out.
    if (typeof outcome !== 'string') throw new DeliveryAttemptFailed(outcome.failed);
    return outcome;
  }

  private async deliver(job: Job<DeliveryJob>, token?: string): Promise<string | { failed: string }> {
    const { partnerId, webhookId, deliveryId } = job.data;
    const delivery = await this.deliveries.get(webhookId, deliveryId);
    if (!delivery || delivery.status !== 'pending') return 'already settled';
    const head = await this.deliveries.head(webhookId);
    if (head !== deliveryId && token) {
      // Not its turn: the one before it wakes it when it ends (nextInLine); until then it waits, at most until that one's next attempt.
      const before = head ? await this.deliveries.get(webhookId, head) : undefined;
      const next = before?.nextAttemptAt ? Date.parse(before.nextAttemptAt) - Date.now() + 50 : FOLLOWER_WAIT_MS;
      await job.moveToDelayed(Date.now() + Math.min(FOLLOWER_WAIT_MS, Math.max(50, next)), token);
      // The one before may have ended between the look and the move, too early to wake it: then it wakes itself.
      if ((await this.deliveries.head(webhookId)) === deliveryId) await job.promote().catch(() => undefined);
      throw new DelayedError();
    }
    const now = await this.clock.now();
    let endpoint;
    try {
      // As the stream stands now: a URL changed, a secret rotated or an endpoint disabled a moment ago counts at once.
      endpoint = await this.registry.endpoint(partnerId, webhookId, { current: true });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await this.deliveries.finish(
        webhookId,
        deliveryId,
        'failed',
        new Date().toISOString(),
        'the webhook was deleted',
      );
      return 'webhook deleted';
    }
    if (!endpoint.enabled) {
      await this.deliveries.finish(
        webhookId,
        deliveryId,
        'failed',
        new Date().toISOString(),
        `the webhook is disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}`,
      );
      return 'webhook disabled';
    }
    const secrets = await this.registry.secrets(signingSecrets(endpoint, now));
    const outcome = await sendSigned(
      endpoint.url,
      { msgId: delivery.notificationId, body: delivery.payload, secrets },
      this.policy,
    );
    const at = new Date().toISOString();
    if (outcome.ok) {
      await this.deliveries.recordAttempt(webhookId, deliveryId, { status: outcome.status, at });
      await this.deliveries.finish(webhookId, deliveryId, 'delivered', at);
      await this.deliveries.recovered(webhookId);
      await this.nextInLine(webhookId);
      return `delivered (${outcome.status})`;
    }
    const attempt = job.attemptsMade + 1;
    const exhausted = outcome.refused === true || attempt >= (job.opts.attempts ?? 1);
    const nextAttemptAt = exhausted ? undefined : new Date(Date.now() + (schedule[attempt - 1] ?? 0)).toISOString();
    await this.deliveries.recordAttempt(webhookId, deliveryId, {
      status: outcome.status,
      error: outcome.error,
      at,
      nextAttemptAt,
    });
    await this.deliveries.countFailedAttempt();
    const failingSince = await this.deliveries.failingSince(webhookId, now);
    if (Date.parse(now) - Date.parse(failingSince) >= DISABLE_AFTER_FAILING_MS) {
      await this.registry.handle(
        partnerId,
        {
          type: 'DisableWebhook',
          data: { webhookId, reason: `every delivery has failed since ${failingSince} (last: ${outcome.error})`, now },
        },
        {
          correlationId: deliveryId,
          commandId: `${webhookId}/disable/${failingSince}`,
          partnerId,
          actor: 'system/webhooks',
          now,
        },
      );
      this.logger.warn(`webhook ${webhookId} of ${partnerId} disabled: failing since ${failingSince}`);
    }
    if (exhausted) {
      await this.deliveries.finish(webhookId, deliveryId, 'failed', at, outcome.error);
      await this.nextInLine(webhookId);
      return `failed: ${outcome.error}`;
    }
    return { failed: `delivery ${deliveryId} to webhook ${webhookId}: ${outcome.error}` };
  }

  /** Wakes the next delivery of the endpoint, which may be waiting its turn. */
  private async nextInLine(webhookId: string): Promise<void> {
    const next = await this.deliveries.head(webhookId);
    if (!next) return;
    const job = await this.queue.getJob(next);
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
  }

  @OnWorkerEvent('completed')
  async countCompleted(): Promise<void> {
    await this.redis.incr(JOB_COUNTER(WEBHOOKS_QUEUE, 'completed')).catch(() => undefined);
  }

  @OnWorkerEvent('failed')
  async countFailed(): Promise<void> {
    await this.redis.incr(JOB_COUNTER(WEBHOOKS_QUEUE, 'failed')).catch(() => undefined);
  }
}
