import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ApiCommand, ApiRead } from '../http/openapi/api-routes';
import { Ctx, RequestContext } from '../http/request-context';
import { withRevision } from '../http/revision-header';
import { ManageWebhooks } from './manage-webhooks';
import {
  ChangeWebhookRequest,
  DeliveriesQuery,
  DeliveryListResource,
  DeliveryResource,
  RegisterWebhookRequest,
  WEBHOOK_ERRORS,
  WEBHOOK_READ_ERRORS,
  WebhookCreatedResource,
  WebhookListResource,
  WebhookResource,
  WebhookSecretResource,
} from './webhook.resource';

/** A partner's webhook endpoints: register, read, change, delete, rotate the secret, send a test. */
@ApiTags('webhooks')
@Controller({ path: 'webhooks', version: '1' })
export class WebhooksController {
  constructor(private readonly webhooks: ManageWebhooks) {}

  @Post()
  @ApiCommand({
    status: HttpStatus.CREATED,
    type: WebhookCreatedResource,
    description: 'The webhook, with its signing secret (whsec_…), shown this once',
    errors: { 409: WEBHOOK_ERRORS[409], 422: WEBHOOK_ERRORS[422] },
  })
  async register(
    @Body() body: RegisterWebhookRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    const created = withRevision(response, await this.webhooks.register(body, context));
    response.header('Location', `/v1/webhooks/${created.webhookId}`);
    return created;
  }

  @Get()
  @ApiRead({ type: WebhookListResource, description: 'The partner’s webhooks (never their secrets)' })
  list(@Ctx() context: RequestContext) {
    return this.webhooks.list(context.partnerId);
  }

  @Get(':webhookId')
  @ApiRead({
    type: WebhookResource,
    revision: true,
    description: 'One webhook; another partner’s is 404',
    errors: WEBHOOK_READ_ERRORS,
  })
  async get(
    @Param('webhookId', ParseUUIDPipe) webhookId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    const found = await this.webhooks.get(context.partnerId, webhookId);
    response.header('ETag', `"${found.revision}"`);
    return found;
  }

  @Patch(':webhookId')
  @ApiCommand({
    type: WebhookResource,
    description: 'Changes the url, the event types, the description, or enabled',
    errors: WEBHOOK_ERRORS,
  })
  async change(
    @Param('webhookId', ParseUUIDPipe) webhookId: string,
    @Body() body: ChangeWebhookRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(response, await this.webhooks.change(webhookId, body, context));
  }

  @Delete(':webhookId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiCommand({
    status: HttpStatus.NO_CONTENT,
    description: 'Deleted: nothing more is delivered to it',
    errors: WEBHOOK_READ_ERRORS,
    body: false,
  })
  async remove(
    @Param('webhookId', ParseUUIDPipe) webhookId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    withRevision(response, await this.webhooks.remove(webhookId, context));
  }

  @Post(':webhookId/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiCommand({
    type: WebhookSecretResource,
    description: 'A new secret, shown this once; deliveries are signed with both for 24 h',
    errors: WEBHOOK_READ_ERRORS,
    body: false,
  })
  async rotate(
    @Param('webhookId', ParseUUIDPipe) webhookId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(response, await this.webhooks.rotateSecret(webhookId, context));
  }

  @Post(':webhookId/test')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiCommand({
    status: HttpStatus.ACCEPTED,
    type: DeliveryResource,
    revision: false,
    description: 'A webhook.test notification, queued for this webhook',
    errors: WEBHOOK_READ_ERRORS,
    body: false,
  })
  test(@Param('webhookId', ParseUUIDPipe) webhookId: string, @Ctx() context: RequestContext) {
    return this.webhooks.sendTest(webhookId, context);
  }

  @Get(':webhookId/deliveries')
  @ApiRead({
    type: DeliveryListResource,
    description: 'Its deliveries, newest first: status, attempts, the last response code and its time',
    errors: WEBHOOK_READ_ERRORS,
  })
  deliveries(
    @Param('webhookId', ParseUUIDPipe) webhookId: string,
    @Query() query: DeliveriesQuery,
    @Ctx() context: RequestContext,
  ) {
    return this.webhooks.listDeliveries(context.partnerId, webhookId, query.limit ?? 50);
  }

  @Post(':webhookId/deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiCommand({
    status: HttpStatus.ACCEPTED,
    type: DeliveryResource,
    revision: false,
    description: 'Sends the delivery’s notification again, as a new delivery',
    errors: { 404: ['WEBHOOK_NOT_FOUND', 'DELIVERY_NOT_FOUND'] },
    body: false,
  })
  redeliver(
    @Param('webhookId', ParseUUIDPipe) webhookId: string,
    @Param('deliveryId', ParseUUIDPipe) deliveryId: string,
    @Ctx() context: RequestContext,
  ) {
    return this.webhooks.redeliver(webhookId, deliveryId, context);
  }
}
