import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ApiCommand, ApiRead } from './api-routes';

/**
 * The OpenAPI of the usage routes, kept here so their controllers say it in
 * one line each (@ApiIngestUsage() and so on).
 */

export class UsageAcceptedResource {
  @ApiProperty({ description: 'How many records were stored' }) accepted: number;
  @ApiProperty({ type: [String], description: 'The discount jobs that will apply the reservations to them' }) jobs: string[];
}

/** The actual view: what usage cost a subscription on a day, with and without its reservations. */
export class CostRowResource {
  @ApiProperty({ example: '2026-06-01', description: 'A UTC day' }) date: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId: string;
  @ApiProperty() payAsYouGoCostUsd: number;
  @ApiProperty() discountedCostUsd: number;
  @ApiProperty() savingsUsd: number;
}

/** The amortized view: reservations' prices spread over their hours, as Azure's amortized cost shows them. */
export class AmortizedCostRowResource {
  @ApiProperty({ example: '2026-06-01', description: 'A UTC day' }) date: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Usage: the subscription that ran the VMs. UnusedReservation: the reservation’s billing subscription (absent when not recorded)',
  })
  subscriptionId?: string;
  @ApiProperty({ enum: ['Usage', 'UnusedReservation'], description: 'As Azure’s cost data names them' }) chargeType: 'Usage' | 'UnusedReservation';
  @ApiPropertyOptional({ format: 'uuid', description: 'UnusedReservation only' }) reservationId?: string;
  @ApiPropertyOptional({ description: 'Usage only: uncovered usage at pay-as-you-go, and licences' }) payAsYouGoChargesUsd?: number;
  @ApiPropertyOptional({ description: 'Usage only: the amortized cost of the reserved hours this subscription used' }) reservationChargesUsd?: number;
  @ApiPropertyOptional({ description: 'UnusedReservation only: reserved VM-hours nobody used' }) unusedHours?: number;
  @ApiProperty({ description: 'What the row costs' }) costUsd: number;
}

export class CostsResource {
  @ApiProperty({ enum: ['actual', 'amortized'] }) view: 'actual' | 'amortized';
  @ApiProperty({
    description: 'actual: one row per day and subscription. amortized: per day, a Usage row per subscription and an UnusedReservation row per reservation',
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(CostRowResource) }, { $ref: getSchemaPath(AmortizedCostRowResource) }] },
  })
  items: Array<CostRowResource | AmortizedCostRowResource>;
}

export class UtilizationDayResource {
  @ApiProperty({ example: '2026-06-01' }) date: string;
  @ApiProperty() usedHours: number;
  @ApiProperty({ description: 'Quantity × the hours of the day the reservation was in effect' }) reservedHours: number;
  @ApiProperty({ description: 'used / reserved, in percent' }) percentage: number;
}

export class UtilizationResource {
  @ApiProperty({ format: 'uuid' }) reservationId: string;
  @ApiProperty({ type: [UtilizationDayResource] }) items: UtilizationDayResource[];
}

export const ApiIngestUsage = () =>
  ApiCommand({
    status: HttpStatus.ACCEPTED,
    type: UsageAcceptedResource,
    description: 'Stored; the discount is applied asynchronously by the discount jobs listed',
    revision: false,
    errors: { 404: ['CUSTOMER_NOT_FOUND'], 422: ['USAGE_SUBSCRIPTION_UNKNOWN'] },
  });

export const ApiCustomerCosts = () =>
  applyDecorators(
    ApiExtraModels(CostRowResource, AmortizedCostRowResource),
    ApiRead({
      type: CostsResource,
      description:
        'view=actual (the default): pay-as-you-go, discounted and saved, per day and subscription. ' +
        'view=amortized: each reservation’s price spread over its hours; used hours charged to the subscriptions that used them, the rest as UnusedReservation',
      view: true,
      errors: { 404: ['CUSTOMER_NOT_FOUND'] },
    }),
  );

export const ApiReservationUtilization = () =>
  ApiRead({
    type: UtilizationResource,
    description: 'Per day: used hours, reserved hours and the percentage used',
    view: true,
    errors: { 404: ['RESERVATION_NOT_FOUND'] },
  });
