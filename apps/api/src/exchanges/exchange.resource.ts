import { HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { BILLING_PLANS, BillingPlan, MAX_QUANTITY } from '@app/domain';
import { ExchangeAsked, ExchangeMade, ExchangeQuote } from '@app/ordering';
import { ApiCommand, RouteErrors } from '../http/openapi/api-routes';
import { ReservationResource } from '../http/openapi/reservation.resource';

/** Reservations one exchange may give back at once. */
export const MAX_EXCHANGE_RETURNS = 20;

export class ExchangeReturnRequest {
  @ApiProperty({ format: 'uuid' }) @IsUUID() reservationId: string;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_QUANTITY,
    example: 2,
    description: 'How many of its VMs to give back; all of it by default',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity?: number;
}

export class ExchangePurchaseRequest {
  @ApiProperty({
    example: 'ri-standard_d8s_v5-westeurope-p1y',
    description: 'A size of the same flexibility group, in the same region',
  })
  @IsString()
  @MaxLength(100)
  catalogItemId: string;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_QUANTITY, example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity: number;
  @ApiPropertyOptional({ enum: BILLING_PLANS, description: 'The first returned reservation’s by default' })
  @IsOptional()
  @IsIn(BILLING_PLANS)
  billingPlan?: BillingPlan;
}

export class ExchangeRequest {
  @ApiProperty({ format: 'uuid', description: 'The customer whose reservations are given back' })
  @IsUUID()
  customerId: string;
  @ApiProperty({
    type: [ExchangeReturnRequest],
    description: `One to ${MAX_EXCHANGE_RETURNS} reservations of the customer, each once, of any of its reservation orders`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EXCHANGE_RETURNS)
  @ValidateNested({ each: true })
  @Type(() => ExchangeReturnRequest)
  returns: ExchangeReturnRequest[];
  @ApiProperty({ type: ExchangePurchaseRequest })
  @ValidateNested()
  @Type(() => ExchangePurchaseRequest)
  purchase: ExchangePurchaseRequest;
}

export const askedBy = (body: ExchangeRequest, partnerId: string): ExchangeAsked => ({ ...body, partnerId });

export class ExchangedReturnResource {
  @ApiProperty({ format: 'uuid' }) reservationId: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty() quantity: number;
  @ApiProperty({
    description:
      'Money credited for it: what a return of it would refund, at the lower of its purchase price and today’s',
  })
  refundUsd: number;
  @ApiProperty({
    description: 'The commitment it gives back: upfront, that refund; monthly, the leftover payments cancelled',
  })
  remainingCommitmentUsd: number;
}

class ExchangeMoneyResource {
  @ApiProperty({ description: 'The purchase’s lifetime commitment: unit price × quantity' }) newCommitmentUsd: number;
  @ApiProperty({
    description: 'What the purchase charges at the exchange: all of it upfront, its first payment monthly',
  })
  chargedNowUsd: number;
  @ApiProperty({ description: 'The refunds credited against it' }) refundUsd: number;
  @ApiProperty({ description: 'The commitments given back; the new commitment is at least this' })
  remainingCommitmentUsd: number;
  @ApiProperty({ description: 'Charged now less the refunds; negative: a net credit' }) amountDueUsd: number;
}

export class ExchangeQuoteResource extends ExchangeMoneyResource {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ type: [ExchangedReturnResource] }) returns: ExchangedReturnResource[];
  @ApiProperty({
    example: {
      catalogItemId: 'ri-standard_d8s_v5-westeurope-p1y',
      quantity: 1,
      billingPlan: 'Upfront',
      unitPriceUsd: 2125.44,
    },
  })
  purchase: { catalogItemId: string; quantity: number; billingPlan: BillingPlan; unitPriceUsd: number };
  @ApiProperty({
    description: 'The instant it was valued at: the exchange made at the same instant has the same figures',
  })
  quotedAt: string;

  static of(quote: ExchangeQuote): ExchangeQuoteResource {
    return {
      customerId: quote.customerId,
      returns: quote.returns.map(({ reservationId, orderId, quantity, refundUsd, remainingCommitmentUsd }) => ({
        reservationId,
        orderId,
        quantity,
        refundUsd,
        remainingCommitmentUsd,
      })),
      purchase: {
        catalogItemId: quote.purchase.item.id,
        quantity: quote.purchase.quantity,
        billingPlan: quote.purchase.billingPlan,
        unitPriceUsd: quote.purchase.item.unitPriceUsd,
      },
      ...quote.figures,
      quotedAt: quote.quotedAt,
    };
  }
}

export class ExchangeResource extends ExchangeMoneyResource {
  @ApiProperty({ description: 'Names this exchange; the same Idempotency-Key names it again' }) exchangeId: string;
  @ApiProperty({ type: [ExchangedReturnResource] }) returned: ExchangedReturnResource[];
  @ApiProperty({
    type: ReservationResource,
    description: 'The reservation bought, in the first returned reservation’s order; its term starts at the exchange',
  })
  reservation: ReservationResource;
  @ApiProperty() exchangedAt: string;

  static of(made: ExchangeMade): ExchangeResource {
    return {
      exchangeId: made.exchangeId,
      returned: made.returned,
      reservation: ReservationResource.of(made.bought, made.handled.revision, made.handled.position),
      ...made.figures,
      exchangedAt: made.exchangedAt,
    };
  }
}

export const EXCHANGE_ERRORS: RouteErrors = {
  404: ['RESERVATION_NOT_FOUND', 'CATALOG_ITEM_NOT_FOUND'],
  409: ['RESERVATION_NOT_ACTIVE', 'RESERVATION_CHANGED', 'EXCHANGE_IN_PROGRESS', 'EXCHANGE_RELEASED'],
  422: [
    'EXCHANGE_VALUE_TOO_LOW',
    'EXCHANGE_NOT_ALLOWED',
    'EXCHANGE_NOT_ELIGIBLE',
    'EXCHANGE_RETURNS_TWICE',
    'EXCHANGE_RETURNS_NOTHING',
    'EXCHANGE_ACROSS_CUSTOMERS',
    'RETURN_QUANTITY_INVALID',
    'RESERVATION_EXPIRED',
  ],
};

export const ApiQuoteExchange = () =>
  ApiCommand({
    type: ExchangeQuoteResource,
    revision: false,
    ifMatch: false,
    description:
      'What the exchange would refund, charge and give back, as of now, changing nothing (Azure’s calculateExchange); refused as the exchange itself would be',
    errors: EXCHANGE_ERRORS,
  });

export const ApiMakeExchange = () =>
  ApiCommand({
    status: HttpStatus.CREATED,
    type: ExchangeResource,
    revision: false,
    precondition: true,
    ifMatch: false,
    description:
      'Gives back one or more reservations of a customer, all or part of each, for one purchase: each is refunded at its prorated value, credited against the purchase, which is charged in full. ' +
      'Exchanges do not count toward the refund cap. The Idempotency-Key names the exchange: a retry finishes it or answers it. Send one: 428 PRECONDITION_REQUIRED without',
    errors: EXCHANGE_ERRORS,
  });
