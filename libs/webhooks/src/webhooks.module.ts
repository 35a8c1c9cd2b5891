import { Module } from '@nestjs/common';
import { OrderingServicesModule } from '@app/ordering';
import { reactorProviders } from '@app/projections';
import { Deliveries } from './deliveries';
import { ExpiryNotices } from './expiry-notices';
import { NotificationFeed } from './notification-feed';
import { NotificationPublisher } from './notification-publisher';
import { NotificationsReactor } from './notifications.reactor';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookRegistryService } from './webhook-registry';

const SERVICES = [WebhookRegistryService, NotificationFeed, Deliveries, NotificationPublisher, ExpiryNotices];

/** The webhook registry, the feed, the deliveries and the expiry notices: for the api's routes and the sandbox clock. */
@Module({
  imports: [OrderingServicesModule],
  providers: SERVICES,
  exports: SERVICES,
})
export class WebhooksModule {}

/** In the worker: the notifications reactor, and the deliveries (and notice pass) on the `webhooks` queue. */
@Module({
  imports: [WebhooksModule],
  providers: [...reactorProviders(NotificationsReactor), WebhookDeliveryProcessor],
})
export class WebhooksWorkerModule {}
