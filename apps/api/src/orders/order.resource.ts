import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BillingPlan, OrderLineState, OrderStatus, PlacedOrder, Scope, StatusChange } from '@app/domain';
import { Revision } from '@app/eventstore-client';
import { RouteErrors } from '../http/openapi/api-routes';
import { ScopeResource } from '../http/openapi/scope.resource';

/** What an order route can refuse with, beyond what every route can. */
export const ORDER_ERRORS: RouteErrors = {
  404: ['ORDER_NOT_FOUND', 'CUSTOMER_NOT_FOUND'],
  409: ['ORDER_NOT_PENDING', 'ORDER_IN_FULFILMENT'],
};

export class OriginResource {
  @ApiProperty({ enum: ['split', 'merge', 'exchange'] }) type: 'split' | 'merge' | 'exchange';
  @ApiProperty({ type: [String], format: 'uuid' }) reservationIds: string[];
}

export class StatusChangeResource {
  @ApiProperty({ enum: ['pending', 'completed', 'partiallyFulfilled', 'failed', 'cancelled'] }) status: OrderStatus;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiPropertyOptional() reason?: string;
}

export class LineProvisioningResource {
  @ApiProperty({ enum: ['pending', 'provisioning', 'provisioned', 'failed'] }) status: string;
  @ApiPropertyOptional({ format: 'uuid' }) reservationId?: string;
  @ApiPropertyOptional({ format: 'date-time' }) startedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) provisionedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) failedAt?: string;
  @ApiPropertyOptional() reason?: string;
}

export class OrderLineResource {
  @ApiProperty() lineNumber: number;
  @ApiProperty({ format: 'uuid' }) lineId: string;
  @ApiProperty({ example: 'ri-standard_d4s_v5-westeurope-p1y' }) catalogItemId: string;
  @ApiProperty({ example: 'Standard_D4s_v5' }) armSkuName: string;
  @ApiProperty({ example: 'westeurope' }) region: string;
  @ApiProperty({ enum: ['P1Y', 'P3Y'] }) term: string;
  @ApiProperty({ enum: ['Upfront', 'Monthly'] }) billingPlan: string;
  @ApiProperty() quantity: number;
  @ApiProperty({ format: 'uuid' }) subscriptionId: string;
  @ApiProperty() unitPriceUsd: number;
  @ApiProperty() totalUsd: number;
  @ApiProperty({ type: LineProvisioningResource }) provisioning: LineProvisioningResource;
}

/** One reservation the order holds, as its order shows it. */
export class OrderReservation {
  @ApiProperty({ format: 'uuid' }) reservationId: string;
  @ApiProperty({ enum: ['Succeeded', 'Cancelled', 'Expired', 'Split', 'Merged', 'Exchanged'] }) provisioningState: string;
  @ApiProperty() lineNumber: number;
  @ApiProperty() armSkuName: string;
  @ApiProperty() region: string;
  @ApiProperty({ description: 'VMs covered at the same time' }) quantity: number;
  @ApiProperty({ type: ScopeResource }) scope: Scope;
  @ApiPropertyOptional({ type: OriginResource }) origin?: { type: 'split' | 'merge' | 'exchange'; reservationIds: string[] };
}

export class OrderResource {
  @ApiProperty() orderId: string;
  @ApiProperty({ example: 'RO-2026-000123' }) orderNumber: string;
  @ApiProperty() cartId: string;
  @ApiProperty() customerId: string;
  @ApiProperty({ enum: ['pending', 'completed', 'partiallyFulfilled', 'failed', 'cancelled'] }) status: OrderStatus;
  @ApiProperty({
    type: [OrderLineResource],
    description: 'Each line with its provisioning: pending, provisioning, provisioned (with its reservation) or failed (with the reason)',
  })
  lines: OrderLineState[];
  @ApiProperty({ type: ScopeResource }) scope: Scope;
  @ApiProperty({ enum: ['Upfront', 'Monthly'] }) billingPlan: BillingPlan;
  @ApiProperty({ enum: ['USD'] }) currency: 'USD';
  @ApiProperty() totalUsd: number;
  @ApiProperty({ format: 'date-time' }) placedAt: string;
  @ApiProperty({ type: [StatusChangeResource], description: 'Every status the order went through, with when and why' }) timeline: StatusChange[];
  @ApiProperty({ type: [String], description: 'The reservations the lines provisioned' }) reservationIds: string[];
  @ApiProperty({ type: [OrderReservation], description: 'Every reservation the order holds, including those split or merged from others' })
  reservations: OrderReservation[];
  @ApiProperty() revision: string;
  @ApiPropertyOptional({ description: '$all position of the write; send it as X-Min-Position to read it back from a view' }) position?: string;

  static of(order: PlacedOrder, revision: Revision, position?: bigint): OrderResource {
    // What the fold keeps aside for reservations in streams of their own is not part of the answer.
    const { partnerId: _partner, reservations, awaiting: _awaiting, ...visible } = order;
    return {
      ...visible,
      reservations: Object.values(reservations ?? {}).map((r) => ({
        reservationId: r.reservationId,
        provisioningState: r.status,
        lineNumber: r.lineNumber,
        armSkuName: r.armSkuName,
        region: r.region,
        quantity: r.quantity,
        scope: r.scope,
        ...(r.origin ? { origin: r.origin } : {}),
      })),
      revision: revision.toString(),
      position: position?.toString(),
    };
  }
}

export class OrderPageResource {
  @ApiProperty({ type: [OrderResource] }) items: OrderResource[];
  @ApiPropertyOptional({ description: 'Send it as cursor for the next page; absent on the last page' }) nextCursor?: string;
}

export class EventMetadataResource {
  @ApiPropertyOptional({ description: 'Shared by everything one upstream request set in motion (its x-correlation-id)' }) correlationId?: string;
  @ApiPropertyOptional({ description: 'The command or event that directly caused this event' }) causationId?: string;
  @ApiPropertyOptional({ example: 'partner-contoso' }) partnerId?: string;
  @ApiPropertyOptional({ example: 'partner-contoso/demo-client', description: 'The API client or worker that acted' }) actor?: string;
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
