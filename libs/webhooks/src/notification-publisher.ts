import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Deliveries, deliveryIdFor } from './deliveries';
import { Notification, payloadOf } from './notification';
import { NotificationFeed } from './notification-feed';
import { WebhookEndpoint } from '@app/domain';
import { WebhookRegistryService } from './webhook-registry';
import { DeliveryJob, enqueueDelivery, WEBHOOKS_QUEUE } from './webhook-queue';

/** Whether an endpoint takes a notification type. */
export const subscribes = (endpoint: WebhookEndpoint, type: string) =>
  endpoint.enabled && endpoint.eventTypes.includes(type);

/**
 * Records a notification in its partner's feed and makes a delivery of it to
 * each of the partner's enabled endpoints that take its type, each queued
 * once. Every step is idempotent (the feed by notification id, a delivery
 * by notification and endpoint, the job by delivery), so a reactor handing
 * the same event over again after a crash sends nothing twice.
 */
@Injectable()
export class NotificationPublisher {
  constructor(
    private readonly feed: NotificationFeed,
    private readonly deliveries: Deliveries,
    private readonly registry: WebhookRegistryService,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<DeliveryJob>,
  ) {}

  /** `accepts` narrows the endpoints further (a utilization notice goes to those whose threshold it is under). */
  async publish(
    notification: Notification,
    accepts: (endpoint: WebhookEndpoint) => boolean = () => true,
  ): Promise<void> {
    await this.feed.append(notification);
    const { state } = await this.registry.current(notification.partnerId);
    for (const endpoint of Object.values(state.endpoints)) {
      if (!subscribes(endpoint, notification.type) || !accepts(endpoint)) continue;
      await this.deliver(notification, endpoint.webhookId);
    }
  }

  /** A delivery of the notification to one endpoint (also the test notification, and a redelivery under an id of its own). */
  async deliver(
    notification: Notification,
    webhookId: string,
    options: { deliveryId?: string; redeliveryOf?: string } = {},
  ): Promise<string> {
    const deliveryId = options.deliveryId ?? deliveryIdFor(notification.id, webhookId);
    const created = await this.deliveries.create({
      deliveryId,
      webhookId,
      partnerId: notification.partnerId,
      notificationId: notification.id,
      type: notification.type,
      createdAt: new Date().toISOString(),
      payload: JSON.stringify(payloadOf(notification)),
      ...(options.redeliveryOf ? { redeliveryOf: options.redeliveryOf } : {}),
    });
    // Queued again after a crash between the record and the job: the job id drops the duplicate.
    const pending = created || (await this.deliveries.get(webhookId, deliveryId))?.status === 'pending';
    if (pending) await enqueueDelivery(this.queue, { partnerId: notification.partnerId, webhookId, deliveryId });
    return deliveryId;
  }
}
