import { applyDecorators, BadRequestException } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { Type } from 'class-transformer';
import { ruleViolated, WebhookEndpoint } from '@app/domain';
import { checkWebhookUrl, Delivery, NOTIFICATION_TYPES, UrlPolicy, WebhookUrlRefused } from '@app/webhooks';

export const WEBHOOK_ERRORS = {
  404: ['WEBHOOK_NOT_FOUND'],
  409: ['WEBHOOK_URL_TAKEN'],
  422: ['WEBHOOK_LIMIT_REACHED', 'WEBHOOK_URL_NOT_HTTPS', 'WEBHOOK_ADDRESS_REFUSED'],
} as const;
export const WEBHOOK_READ_ERRORS = { 404: ['WEBHOOK_NOT_FOUND'] } as const;

const TYPES = [...NOTIFICATION_TYPES];

/** The threshold both registering and changing a webhook take, documented and validated alike. */
const UtilizationThreshold = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: 100,
      example: 60,
      description:
        'With reservation.utilization_low among the event types: a reservation used under this percentage over the last 7 days is notified, once a day',
    }),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(100),
  );

export class RegisterWebhookRequest {
  @ApiProperty({
    format: 'uri',
    example: 'https://erp.example.com/hooks/azure',
    description:
      'https (http://127.0.0.1 outside production); refused when it resolves to a private, loopback, link-local or metadata address',
  })
  @IsString()
  @MaxLength(2_000)
  url: string;

  @ApiProperty({
    enum: TYPES,
    isArray: true,
    minItems: 1,
    maxItems: TYPES.length,
    example: ['order.completed', 'reservation.renewal_upcoming'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TYPES.length)
  @IsIn(TYPES, { each: true })
  eventTypes: string[];

  @ApiPropertyOptional({ example: 'ERP integration' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @UtilizationThreshold()
  utilizationThresholdPercent?: number;
}

export class ChangeWebhookRequest {
  @ApiPropertyOptional({ format: 'uri', example: 'https://erp.example.com/hooks/azure-v2' })
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  url?: string;

  @ApiPropertyOptional({ enum: TYPES, isArray: true, minItems: 1, maxItems: TYPES.length })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TYPES.length)
  @IsIn(TYPES, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({
    description: 'false pauses deliveries; true turns a disabled webhook on again and clears the reason',
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @UtilizationThreshold()
  utilizationThresholdPercent?: number;
}

export class WebhookResource {
  @ApiProperty({ format: 'uuid' }) webhookId: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: TYPES, isArray: true }) eventTypes: string[];
  @ApiProperty() description: string;
  @ApiProperty() enabled: boolean;
  @ApiPropertyOptional({ description: 'Why it was disabled, e.g. every delivery failing for 5 days' })
  disabledReason?: string;
  @ApiPropertyOptional() disabledAt?: string;
  @ApiPropertyOptional({
    description: 'Under this share of use over 7 days, a reservation is notified (reservation.utilization_low)',
  })
  utilizationThresholdPercent?: number;
  @ApiPropertyOptional({ description: 'Until when the secret rotated out still signs (beside the current one)' })
  previousSecretValidUntil?: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ description: 'The revision of the partner’s webhooks stream' }) revision: string;
  @ApiPropertyOptional() position?: string;
}

export class WebhookCreatedResource extends WebhookResource {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Shown this once: verify deliveries with it (Standard Webhooks)',
  })
  secret: string;
}

export class WebhookSecretResource extends WebhookResource {
  @ApiProperty({ description: 'The new secret, shown this once; the previous one keeps signing for 24 h' })
  secret: string;
}

export class WebhookListResource {
  @ApiProperty({ type: [WebhookResource] }) items: WebhookResource[];
}

export class DeliveryResource {
  @ApiProperty({ format: 'uuid' }) deliveryId: string;
  @ApiProperty({ format: 'uuid' }) webhookId: string;
  @ApiProperty({ format: 'uuid', description: 'The notification’s id: the webhook-id header, and `id` in the payload' })
  notificationId: string;
  @ApiProperty() type: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional() lastResponseCode?: number;
  @ApiPropertyOptional() lastAttemptAt?: string;
  @ApiPropertyOptional() lastError?: string;
  @ApiPropertyOptional() nextAttemptAt?: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional() finishedAt?: string;
  @ApiPropertyOptional({ description: 'The delivery this one sends again' }) redeliveryOf?: string;
}

export class DeliveryListResource {
  @ApiProperty({ type: [DeliveryResource] }) items: DeliveryResource[];
}

export class DeliveriesQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class WebhookIdParam {
  @Matches(/^[0-9a-f-]{36}$/i)
  webhookId: string;
}

export function webhookResource(endpoint: WebhookEndpoint, revision: bigint, position?: bigint): WebhookResource {
  const previous = endpoint.secrets.find((secret) => secret.validUntil !== undefined);
  return {
    webhookId: endpoint.webhookId,
    url: endpoint.url,
    eventTypes: endpoint.eventTypes,
    description: endpoint.description,
    enabled: endpoint.enabled,
    ...(endpoint.disabledReason ? { disabledReason: endpoint.disabledReason, disabledAt: endpoint.disabledAt } : {}),
    ...(endpoint.utilizationThresholdPercent !== undefined
      ? { utilizationThresholdPercent: endpoint.utilizationThresholdPercent }
      : {}),
    ...(previous ? { previousSecretValidUntil: previous.validUntil } : {}),
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
    revision: revision.toString(),
    ...(position !== undefined ? { position: position.toString() } : {}),
  };
}

export function deliveryResource(delivery: Delivery): DeliveryResource {
  const { payload: _payload, partnerId: _partner, ...shown } = delivery as Delivery & { seq?: number };
  delete (shown as { seq?: number }).seq;
  return shown;
}

/** The URL as the policy takes it: a malformed one is a 400 on the field, a refused address or scheme a 422. */
export function acceptedUrl(url: string, policy: UrlPolicy): string {
  try {
    return checkWebhookUrl(url, policy).href;
  } catch (error) {
    if (!(error instanceof WebhookUrlRefused)) throw error;
    if (error.code === 'WEBHOOK_URL_INVALID')
      throw new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: `url: ${error.message}`,
        errors: [{ field: 'url', messages: [error.message] }],
      });
    throw ruleViolated(error.code, error.message);
  }
}
