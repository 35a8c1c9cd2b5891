import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BillingPlan, OrderLineState, OrderStatus, PlacedOrder, Scope, StatusChange } from '@app/domain';
import { Revision } from '@app/eventstore-client';
import { ScopeResource } from './scope.resource';

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
  @ApiProperty({ enum: ['Succeeded', 'Cancelled', 'Expired', 'Split', 'Merged', 'Exchanged'] })
  provisioningState: string;
  @ApiProperty() lineNumber: number;
  @ApiProperty() armSkuName: string;
  @ApiProperty() region: string;
  @ApiProperty({ description: 'VMs covered at the same time' }) quantity: number;
  @ApiProperty({ type: ScopeResource }) scope: Scope;
  @ApiPropertyOptional({ type: OriginResource }) origin?: {
    type: 'split' | 'merge' | 'exchange';
    reservationIds: string[];
  };
}

/** An order as the write side and the order-history view answer it: what the order routes and a cart's purchase answer. */
export class OrderResource {
  @ApiProperty() orderId: string;
  @ApiProperty({ example: 'RO-2026-000123' }) orderNumber: string;
  @ApiProperty() cartId: string;
  @ApiProperty() customerId: string;
  @ApiProperty({ enum: ['pending', 'completed', 'partiallyFulfilled', 'failed', 'cancelled'] }) status: OrderStatus;
  @ApiProperty({
    type: [OrderLineResource],
    description:
      'Each line with its provisioning: pending, provisioning, provisioned (with its reservation) or failed (with the reason)',
  })
  lines: OrderLineState[];
  @ApiProperty({ type: ScopeResource }) scope: Scope;
  @ApiProperty({ enum: ['Upfront', 'Monthly'] }) billingPlan: BillingPlan;
  @ApiProperty({ enum: ['USD'] }) currency: 'USD';
  @ApiProperty() totalUsd: number;
  @ApiProperty({ format: 'date-time' }) placedAt: string;
  @ApiProperty({ type: [StatusChangeResource], description: 'Every status the order went through, with when and why' })
  timeline: StatusChange[];
  @ApiProperty({ type: [String], description: 'The reservations the lines provisioned' }) reservationIds: string[];
  @ApiProperty({
    type: [OrderReservation],
    description: 'Every reservation the order holds, including those split or merged from others',
  })
  reservations: OrderReservation[];
  @ApiProperty() revision: string;
  @ApiPropertyOptional({
    description: '$all position of the write; send it as X-Min-Position to read it back from a view',
  })
  position?: string;

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
