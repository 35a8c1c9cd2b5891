import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RouteErrors } from '../http/openapi/api-routes';
import { OrderResource } from '../http/openapi/order.resource';

/** The OpenAPI of the order routes: their errors and the response types only they answer (the order itself is shared, in http/openapi/). */

/** What an order route can refuse with, beyond what every route can. */
export const ORDER_ERRORS: RouteErrors = {
  404: ['ORDER_NOT_FOUND', 'CUSTOMER_NOT_FOUND'],
  409: ['ORDER_NOT_PENDING', 'ORDER_IN_FULFILMENT'],
};

export class OrderPageResource {
  @ApiProperty({ type: [OrderResource] }) items: OrderResource[];
  @ApiPropertyOptional({ description: 'Send it as cursor for the next page; absent on the last page' })
  nextCursor?: string;
}

export class EventMetadataResource {
  @ApiPropertyOptional({
    description: 'Shared by everything one upstream request set in motion (its x-correlation-id)',
  })
  correlationId?: string;
  @ApiPropertyOptional({ description: 'The command or event that directly caused this event' }) causationId?: string;
  @ApiPropertyOptional({ example: 'partner-contoso' }) partnerId?: string;
  @ApiPropertyOptional({ example: 'partner-contoso/demo-client', description: 'The API client or worker that acted' })
  actor?: string;
  @ApiPropertyOptional({ format: 'date-time' }) timestamp?: string;
}

/** One stored event, as an auditor reads it; its data follows the schema GET /v1/events/schemas gives for its type. */
export class RecordedEventResource {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Its number in the stream, from 0' }) revision: number;
  @ApiProperty({ example: 'OrderPlaced' }) type: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty({ type: EventMetadataResource }) metadata: EventMetadataResource;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiPropertyOptional({ description: '$all position' }) position?: string;
}

export class OrderEventsResource {
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ type: [RecordedEventResource] }) events: RecordedEventResource[];
}
