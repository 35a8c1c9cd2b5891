import { Module } from '@nestjs/common';
import { WebhooksModule as WebhooksServicesModule } from '@app/webhooks';
import { ManageWebhooks } from './manage-webhooks';
import { WebhooksController } from './webhooks.http';

/** /v1/webhooks: a partner's endpoints and their deliveries. */
@Module({
  imports: [WebhooksServicesModule],
  controllers: [WebhooksController],
  providers: [ManageWebhooks],
})
export class WebhooksModule {}
