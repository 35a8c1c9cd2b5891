import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BillingPlan, Order, OrderLine, OrderStatus, Scope, StatusChange } from '@app/domain';
import { Revision } from '@app/eventstore';

export class OrderResource {
  @ApiProperty() orderId: string;
  @ApiProperty({ example: 'RO-2026-000123' }) orderNumber: string;
  @ApiProperty() cartId: string;
  @ApiProperty() customerId: string;
  @ApiProperty({ enum: ['pending', 'completed', 'failed', 'cancelled'] }) status: OrderStatus;
  @ApiProperty() lines: OrderLine[];
  @ApiProperty() scope: Scope;
  @ApiProperty({ enum: ['Upfront', 'Monthly'] }) billingPlan: BillingPlan;
  @ApiProperty() currency: 'USD';
  @ApiProperty() totalUsd: number;
  @ApiProperty() placedAt: string;
  @ApiProperty({ description: 'Every status the order went through, with when and why' }) timeline: StatusChange[];
  @ApiProperty() reservationIds: string[];
  @ApiProperty() revision: string;
  @ApiPropertyOptional({ description: '$all position of the write; send it as X-Min-Position to read it back from a view' }) position?: string;

  static of(order: Exclude<Order, { status: 'none' }>, revision: Revision, position?: bigint): OrderResource {
    const { partnerId: _partner, ...visible } = order;
    return { ...visible, revision: revision.toString(), position: position?.toString() };
  }
}
