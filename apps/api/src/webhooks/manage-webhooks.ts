import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfig } from '@app/config';
import { notFound, WebhookEndpoint } from '@app/domain';
import { Deliveries, NotificationPublisher, UrlPolicy, WebhookRegistryService } from '@app/webhooks';
import { RequestContext } from '../http/request-context';
import {
  acceptedUrl,
  ChangeWebhookRequest,
  DeliveryResource,
  deliveryResource,
  RegisterWebhookRequest,
  WebhookCreatedResource,
  WebhookResource,
  webhookResource,
  WebhookSecretResource,
} from './webhook.resource';

/** The webhook routes' work: commands on the partner's webhooks stream (with If-Match when sent), and its deliveries. */
@Injectable()
export class ManageWebhooks {
  readonly policy: UrlPolicy;

  constructor(
    private readonly registry: WebhookRegistryService,
    private readonly deliveries: Deliveries,
    private readonly publisher: NotificationPublisher,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.policy = { production: config.get('NODE_ENV', { infer: true }) === 'production' };
  }

  async register(body: RegisterWebhookRequest, context: RequestContext): Promise<WebhookCreatedResource> {
    const url = acceptedUrl(body.url, this.policy);
    const webhookId = context.newId('webhook');
    const { secretId, secret } = await this.registry.newSecret(context.commandId, 'secret');
    const handled = await this.registry.handle(
      context.partnerId,
      {
        type: 'RegisterWebhook',
        data: {
          webhookId,
          url,
          eventTypes: [...new Set(body.eventTypes)],
          description: body.description ?? '',
          secretId,
          ...(body.utilizationThresholdPercent !== undefined
            ? { utilizationThresholdPercent: body.utilizationThresholdPercent }
            : {}),
          now: context.now,
        },
      },
      context,
      context.expectedRevision,
    );
    const endpoint = handled.state.endpoints[webhookId];
    return { ...webhookResource(endpoint, handled.revision, handled.position), secret };
  }

  async list(partnerId: string): Promise<{ items: WebhookResource[] }> {
    const { state, revision } = await this.registry.load(partnerId);
    return { items: Object.values(state.endpoints).map((endpoint) => webhookResource(endpoint, revision)) };
  }

  async get(partnerId: string, webhookId: string): Promise<WebhookResource> {
    const { state, revision } = await this.registry.load(partnerId);
    return webhookResource(this.owned(state.endpoints, webhookId), revision);
  }

  async change(webhookId: string, body: ChangeWebhookRequest, context: RequestContext): Promise<WebhookResource> {
    const url = body.url === undefined ? undefined : acceptedUrl(body.url, this.policy);
    const handled = await this.registry.handle(
      context.partnerId,
      {
        type: 'ChangeWebhook',
        data: {
          webhookId,
          ...(url !== undefined ? { url } : {}),
          ...(body.eventTypes ? { eventTypes: [...new Set(body.eventTypes)] } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
          ...(body.utilizationThresholdPercent !== undefined
            ? { utilizationThresholdPercent: body.utilizationThresholdPercent }
            : {}),
          now: context.now,
        },
      },
      context,
      context.expectedRevision,
    );
    return webhookResource(this.owned(handled.state.endpoints, webhookId), handled.revision, handled.position);
  }

  async remove(webhookId: string, context: RequestContext): Promise<{ revision: string; position?: string }> {
    const handled = await this.registry.handle(
      context.partnerId,
      { type: 'DeleteWebhook', data: { webhookId, now: context.now } },
      context,
      context.expectedRevision,
    );
    return {
      revision: handled.revision.toString(),
      ...(handled.position !== undefined ? { position: handled.position.toString() } : {}),
    };
  }

  async rotateSecret(webhookId: string, context: RequestContext): Promise<WebhookSecretResource> {
    await this.registry.endpoint(context.partnerId, webhookId);
    const { secretId, secret } = await this.registry.newSecret(context.commandId, `rotate/${webhookId}`);
    const handled = await this.registry.handle(
      context.partnerId,
      { type: 'RotateWebhookSecret', data: { webhookId, secretId, now: context.now } },
      context,
      context.expectedRevision,
    );
    return {
      ...webhookResource(this.owned(handled.state.endpoints, webhookId), handled.revision, handled.position),
      secret,
    };
  }

  /** A `webhook.test` notification to this endpoint alone: not in the feed, delivered as any other. */
  async sendTest(webhookId: string, context: RequestContext): Promise<DeliveryResource> {
    const endpoint = await this.registry.endpoint(context.partnerId, webhookId);
    const id = context.newId(`webhook-test/${webhookId}`);
    const deliveryId = await this.publisher.deliver(
      {
        id,
        type: 'webhook.test',
        occurredAt: context.now,
        partnerId: context.partnerId,
        subject: webhookId,
        data: {
          webhookId,
          url: endpoint.url,
          message: 'A test notification: your endpoint verified and acknowledged it if this delivery shows delivered.',
        },
        links: { webhook: `/v1/webhooks/${webhookId}` },
      },
      webhookId,
    );
    return deliveryResource((await this.deliveries.get(webhookId, deliveryId))!);
  }

  async listDeliveries(partnerId: string, webhookId: string, limit: number): Promise<{ items: DeliveryResource[] }> {
    await this.registry.endpoint(partnerId, webhookId);
    return { items: (await this.deliveries.list(webhookId, limit)).map(deliveryResource) };
  }

  /** The same notification again, as a new delivery at the end of the endpoint's line. */
  async redeliver(webhookId: string, deliveryId: string, context: RequestContext): Promise<DeliveryResource> {
    await this.registry.endpoint(context.partnerId, webhookId);
    const original = await this.deliveries.get(webhookId, deliveryId);
    if (!original || original.partnerId !== context.partnerId)
      throw notFound('DELIVERY_NOT_FOUND', `delivery ${deliveryId} not found`);
    const payload = JSON.parse(original.payload) as Parameters<NotificationPublisher['deliver']>[0];
    const redeliveryId = context.newId(`redeliver/${deliveryId}`);
    await this.publisher.deliver({ ...payload, partnerId: context.partnerId, subject: webhookId }, webhookId, {
      deliveryId: redeliveryId,
      redeliveryOf: deliveryId,
    });
    return deliveryResource((await this.deliveries.get(webhookId, redeliveryId))!);
  }

  private owned(endpoints: Record<string, WebhookEndpoint>, webhookId: string): WebhookEndpoint {
    const endpoint = endpoints[webhookId];
    if (!endpoint) throw notFound('WEBHOOK_NOT_FOUND', `webhook ${webhookId} not found`);
    return endpoint;
  }
}
