import { BadRequestException, Controller, Get, Module, Query } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CURSOR, NOTIFICATION_TYPES, NotificationFeed, WebhooksModule } from '@app/webhooks';
import { ApiRead } from '../http/openapi/api-routes';
import { Ctx, RequestContext } from '../http/request-context';

export class FeedQuery {
  @ApiPropertyOptional({
    description: 'The cursor of the last notification read (or `nextCursor`); from the oldest kept without',
    example: '1765152000000-0',
  })
  @IsOptional()
  @Matches(CURSOR)
  after?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated notification types; all without',
    example: 'order.completed,reservation.expired',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1_000)
  types?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class FeedNotificationResource {
  @ApiProperty({ format: 'uuid', description: 'Stable: the same notification has the same id in deliveries and here' })
  id: string;
  @ApiProperty({ enum: [...NOTIFICATION_TYPES] }) type: string;
  @ApiProperty({ description: 'When it happened, on the deployment’s Clock' }) occurredAt: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) links: Record<string, string>;
  @ApiProperty({ description: 'Send it as `after` to read on from here' }) cursor: string;
}

export class FeedResource {
  @ApiProperty({ type: [FeedNotificationResource] }) items: FeedNotificationResource[];
  @ApiPropertyOptional({
    description:
      'Where to read on from (also past notifications the types filter left out); absent when the feed is empty',
  })
  nextCursor?: string;
}

/** GET /v1/notifications: the partner's own notifications in order, to catch up after being down. */
@ApiTags('notifications')
@Controller({ path: 'notifications', version: '1' })
export class NotificationsController {
  constructor(private readonly feed: NotificationFeed) {}

  @Get()
  @ApiRead({
    type: FeedResource,
    description: 'The partner’s notifications after the cursor, oldest first, with the payloads deliveries carry',
  })
  async read(@Query() query: FeedQuery, @Ctx() context: RequestContext): Promise<FeedResource> {
    const types = query.types
      ? query.types
          .split(',')
          .map((type) => type.trim())
          .filter(Boolean)
      : undefined;
    const unknown = (types ?? []).filter((type) => !(NOTIFICATION_TYPES as readonly string[]).includes(type));
    if (unknown.length > 0)
      throw new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: `types: unknown ${unknown.join(', ')}`,
        errors: [{ field: 'types', messages: [`unknown notification types: ${unknown.join(', ')}`] }],
      });
    const page = await this.feed.read(context.partnerId, { after: query.after, types, limit: query.limit ?? 100 });
    return { items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }
}

@Module({
  imports: [WebhooksModule],
  controllers: [NotificationsController],
})
export class NotificationsModule {}
