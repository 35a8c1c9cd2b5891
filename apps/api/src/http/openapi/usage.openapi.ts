import { HttpStatus } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ApiCommand, ApiRead } from './api-routes';

/**
 * The OpenAPI of the usage routes, kept here so their controllers say it in
 * one line each (@ApiIngestUsage() and so on).
 */

export class UsageAcceptedResource {
  @ApiProperty({ description: 'How many records were stored' }) accepted: number;
  @ApiProperty({ type: [String], description: 'The discount jobs that will apply the reservations to them' }) jobs: string[];
}

export class CostRowResource {
  @ApiProperty({ example: '2026-06-01', description: 'A UTC day' }) date: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId: string;
  @ApiProperty() payAsYouGoCostUsd: number;
  @ApiProperty() discountedCostUsd: number;
  @ApiProperty() savingsUsd: number;
}

export class CostsResource {
  @ApiProperty({ type: [CostRowResource], description: 'One row per day and subscription, by date' }) items: CostRowResource[];
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
  ApiRead({
    type: CostsResource,
    description: 'Pay-as-you-go, discounted and saved, per day and subscription',
    view: true,
    errors: { 404: ['CUSTOMER_NOT_FOUND'] },
  });

export const ApiReservationUtilization = () =>
  ApiRead({
    type: UtilizationResource,
    description: 'Per day: used hours, reserved hours and the percentage used',
    view: true,
    errors: { 404: ['RESERVATION_NOT_FOUND'] },
  });
