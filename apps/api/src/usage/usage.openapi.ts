import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ApiCommand, ApiRead } from '../http/openapi/api-routes';

/**
 * The OpenAPI of the usage routes: their response types and one decorator
 * each, so their controllers say it in one line (@ApiIngestUsage() and so on).
 */

export class UsageAcceptedResource {
  @ApiProperty({ description: 'How many records were stored' }) accepted: number;
  @ApiProperty({ type: [String], description: 'The discount jobs that will apply the reservations to them' })
  jobs: string[];
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
    description:
      'Usage: the subscription that ran the VMs. UnusedReservation: the reservation’s billing subscription (absent when not recorded)',
  })
  subscriptionId?: string;
  @ApiProperty({ enum: ['Usage', 'UnusedReservation'], description: 'As Azure’s cost data names them' }) chargeType:
    'Usage' | 'UnusedReservation';
  @ApiPropertyOptional({ format: 'uuid', description: 'UnusedReservation only' }) reservationId?: string;
  @ApiPropertyOptional({ description: 'Usage only: uncovered usage at pay-as-you-go, and licences' })
  payAsYouGoChargesUsd?: number;
  @ApiPropertyOptional({ description: 'Usage only: the amortized cost of the reserved hours this subscription used' })
  reservationChargesUsd?: number;
  @ApiPropertyOptional({ description: 'UnusedReservation only: reserved VM-hours nobody used' }) unusedHours?: number;
  @ApiProperty({ description: 'What the row costs' }) costUsd: number;
}

export class CostsResource {
  @ApiProperty({ enum: ['actual', 'amortized'] }) view: 'actual' | 'amortized';
  @ApiProperty({
    description:
      'actual: one row per day and subscription. amortized: per day, a Usage row per subscription and an UnusedReservation row per reservation',
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
    description:
      'Stored; the discount is applied asynchronously by the discount jobs listed. ' +
      'Each hour must lie within USAGE_RETENTION_DAYS before now and one hour after (422 USAGE_HOUR_OUT_OF_RANGE, naming the record), ' +
      'and the records the batch adds within the partner’s budget (429 USAGE_BUDGET_EXCEEDED); a refused batch stores nothing',
    revision: false,
    ifMatch: false,
    errors: {
      404: ['CUSTOMER_NOT_FOUND'],
      422: ['USAGE_SUBSCRIPTION_UNKNOWN', 'USAGE_HOUR_OUT_OF_RANGE'],
      429: ['USAGE_BUDGET_EXCEEDED'],
    },
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

/** One of Azure's reservation recommendations: what to buy, and what it would have saved over the look-back window. */
export class PurchaseRecommendationResource {
  @ApiProperty({ enum: ['single', 'shared'] }) scope: 'single' | 'shared';
  @ApiPropertyOptional({ format: 'uuid', description: 'Single scope: the subscription whose usage it is' })
  subscriptionId?: string;
  @ApiProperty({ example: 'eastus' }) region: string;
  @ApiProperty({ example: 'DSv5 Series' }) flexibilityGroup: string;
  @ApiProperty({
    example: 'Standard_D2s_v5',
    description: 'The group’s smallest size on sale in the region: the quantity is in this size',
  })
  normalizedSize: string;
  @ApiProperty({ example: 'ri-standard_d2s_v5-eastus-p1y', description: 'The catalog item to add to a cart' })
  catalogItemId: string;
  @ApiProperty({ enum: ['P1Y', 'P3Y'] }) term: 'P1Y' | 'P3Y';
  @ApiProperty({ enum: [7, 30, 60] }) lookBackDays: number;
  @ApiProperty({ example: '2026-06-01T00:00:00.000Z', description: 'The first hour of uncovered usage in the window' })
  firstUsageHour: string;
  @ApiProperty({ description: 'The quantity with the greatest net savings' }) recommendedQuantity: number;
  @ApiProperty({ description: 'The uncovered usage over the window at pay-as-you-go' })
  costWithNoReservedInstancesUsd: number;
  @ApiProperty({
    description: 'The reservation’s price for every hour of the window, plus the usage it would not cover',
  })
  totalCostWithReservedInstancesUsd: number;
  @ApiProperty() netSavingsUsd: number;
  @ApiProperty({
    description: 'The share of its hours the reservation must be used to cost no more than pay-as-you-go',
  })
  breakEvenUtilizationPercent: number;
}

export class PurchaseRecommendationsResource {
  @ApiProperty({ enum: [7, 30, 60] }) lookBackDays: number;
  @ApiProperty({ enum: ['P1Y', 'P3Y'] }) term: 'P1Y' | 'P3Y';
  @ApiProperty({ enum: ['single', 'shared'] }) scope: 'single' | 'shared';
  @ApiProperty({ description: 'First hour of the window: the whole UTC days before today' }) fromHour: string;
  @ApiProperty({ description: 'Last hour of the window' }) toHour: string;
  @ApiProperty({
    type: [PurchaseRecommendationResource],
    description: 'Most savings first; empty when no quantity saves (for example VMs shut down regularly)',
  })
  items: PurchaseRecommendationResource[];
}

export const ApiPurchaseRecommendations = () =>
  ApiRead({
    type: PurchaseRecommendationsResource,
    description:
      'Azure’s reservation recommendations from the usage already ingested: existing reservations applied first, then per region and flexibility group ' +
      '(and subscription, for single scope) the quantity that maximizes net savings over the look-back window',
    errors: { 404: ['CUSTOMER_NOT_FOUND'] },
  });
