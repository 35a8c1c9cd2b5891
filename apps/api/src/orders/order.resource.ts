import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BillingPlan, OrderLineState, OrderStatus, PlacedOrder, Scope, StatusChange } from '@app/domain';
import { Revision } from '@app/eventstore-client';

/** One reservation the order holds, as its order shows it. */
export class OrderReservation {
  @ApiProperty({ format: 'uuid' }) reservationId: string;
  @ApiProperty({ enum: ['Succeeded', 'Cancelled', 'Expired', 'Split', 'Merged'] }) provisioningState: string;
  @ApiProperty() lineNumber: number;
  @ApiProperty() armSkuName: string;
  @ApiProperty() region: string;
  @ApiProperty({ description: 'VMs covered at the same time' }) quantity: number;
  @ApiProperty() scope: Scope;
  @ApiPropertyOptional() origin?: { type: 'split' | 'merge'; reservationIds: string[] };
}

export class OrderResource {
  @ApiProperty() orderId: string;
  @ApiProperty({ example: 'RO-2026-000123' }) orderNumber: string;
  @ApiProperty() cartId: string;
  @ApiProperty() customerId: string;
  @ApiProperty({ enum: ['pending', 'completed', 'partiallyFulfilled', 'failed', 'cancelled'] }) status: OrderStatus;
  @ApiProperty({ description: 'Each line with its provisioning: pending, provisioning, provisioned (with its reservation) or failed (with the reason)' })
  lines: OrderLineState[];
  @ApiProperty() scope: Scope;
  @ApiProperty({ enum: ['Upfront', 'Monthly'] }) billingPlan: BillingPlan;
  @ApiProperty() currency: 'USD';
  @ApiProperty() totalUsd: number;
  @ApiProperty() placedAt: string;
  @ApiProperty({ description: 'Every status the order went through, with when and why' }) timeline: StatusChange[];
  @ApiProperty({ description: 'The reservations the lines provisioned' }) reservationIds: string[];
  @ApiProperty({ type: [OrderReservation], description: 'Every reservation the order holds, including those split or merged from others' })
  reservations: OrderReservation[];
  @ApiProperty() revision: string;
  @ApiPropertyOptional({ description: '$all position of the write; send it as X-Min-Position to read it back from a view' }) position?: string;

  static of(order: PlacedOrder, revision: Revision, position?: bigint): OrderResource {
    const { partnerId: _partner, reservations, ...visible } = order;
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
