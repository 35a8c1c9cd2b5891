import { HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BillingPlan, Scope, SplitPart, Term } from '@app/domain';
import { ReservationResource, ReturnedQuantityResource } from '../http/openapi/reservation.resource';
import { ApiCommand, ApiRead, RouteErrors } from '../http/openapi/api-routes';
import { ScopeResource } from '../http/openapi/scope.resource';

/**
 * The OpenAPI of the reservation routes: their response types and one
 * decorator each, so their controllers say it in one line
 * (@ApiListReservations() and so on).
 */

export const RESERVATION_ERRORS: RouteErrors = {
  404: ['RESERVATION_NOT_FOUND', 'ORDER_NOT_FOUND', 'CUSTOMER_NOT_FOUND', 'MANAGEMENT_GROUP_NOT_FOUND'],
  409: [
    'RESERVATION_NOT_ACTIVE',
    'RESERVATION_NOT_FOUND',
    'CANCELLATION_REVERSED',
    'ORDER_IN_FULFILMENT',
    'CART_NOT_PURCHASED',
    'RENEWAL_ALREADY_BOUGHT',
    'EXCHANGE_IN_PROGRESS',
  ],
  422: [
    'RESERVATION_EXPIRED',
    'SPLIT_QUANTITIES_INVALID',
    'SPLIT_QUANTITIES_MISMATCH',
    'SUBSCRIPTION_NOT_ACTIVE',
    'SUBSCRIPTION_NOT_IN_BILLING_CONTEXT',
    'MERGE_NEEDS_TWO',
    'MERGE_MISMATCH',
    'MERGE_ACROSS_ORDERS',
    'REFUND_CAP_EXCEEDED',
  ],
};

export class SplitPartResource {
  @ApiProperty({ format: 'uuid' }) reservationId: string;
  @ApiProperty() quantity: number;
}

export class ReservationOriginResource {
  @ApiProperty({ enum: ['split', 'merge', 'exchange'] }) type: 'split' | 'merge' | 'exchange';
  @ApiProperty({ type: [String] }) reservationIds: string[];
}

export class ScopePeriodResource {
  @ApiProperty({ format: 'date-time', description: 'From this whole hour on' }) from: string;
  @ApiProperty({ type: ScopeResource }) scope: Scope;
  @ApiProperty({ type: [String] }) appliedSubscriptionIds: string[];
}

export class ReservationChangeResource {
  @ApiProperty({ example: 'ReservationScopeChanged', description: 'The event type; see GET /v1/events/schemas' })
  type: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() revision: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) detail: Record<string, unknown>;
}

export class RefundAllowanceResource {
  @ApiProperty({ example: 50_000 }) capUsd: number;
  @ApiProperty() usedUsd: number;
  @ApiProperty() remainingUsd: number;
  @ApiProperty({ format: 'date-time', description: 'Start of the rolling 12 months' }) windowStart: string;
}

/** A reservation as the reservations view shows it, with its state for today. */
export class ReservationSummaryResource {
  @ApiProperty({ format: 'uuid' }) reservationId: string;
  @ApiProperty({ enum: ['Pending', 'Succeeded', 'Cancelled', 'Expired', 'Split', 'Merged', 'Exchanged'] })
  provisioningState: string;
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ example: 'RO-2026-000001' }) orderNumber: string;
  @ApiProperty() lineNumber: number;
  @ApiProperty() catalogItemId: string;
  @ApiProperty({ example: 'Standard_D4s_v5' }) armSkuName: string;
  @ApiProperty({ example: 'westeurope' }) region: string;
  @ApiProperty({ description: 'VMs covered at the same time' }) quantity: number;
  @ApiProperty({ enum: ['P1Y', 'P3Y'] }) term: Term;
  @ApiProperty({ enum: ['Upfront', 'Monthly'] }) billingPlan: BillingPlan;
  @ApiProperty({ type: ScopeResource }) scope: Scope;
  @ApiProperty({ type: [String] }) appliedSubscriptionIds: string[];
  @ApiProperty({ format: 'date-time' }) effectiveDate: string;
  @ApiProperty({ format: 'date-time' }) expiryDate: string;
  @ApiProperty() autoRenew: boolean;
  @ApiPropertyOptional() renewalUnitPriceUsd?: number;
  @ApiPropertyOptional({ format: 'date-time' }) endedAt?: string;
  @ApiPropertyOptional({ type: [SplitPartResource] }) splitInto?: SplitPart[];
  @ApiPropertyOptional({ format: 'uuid' }) mergedInto?: string;
  @ApiPropertyOptional({ type: ReservationOriginResource }) origin?: ReservationOriginResource;
  @ApiPropertyOptional({ type: [ScopePeriodResource], description: 'Scope over time' })
  scopePeriods?: ScopePeriodResource[];
  @ApiPropertyOptional({
    type: [ReturnedQuantityResource],
    description: 'Quantities returned or exchanged while the rest stayed active',
  })
  returns?: ReturnedQuantityResource[];
  @ApiPropertyOptional({ format: 'uuid', description: 'The reservation an exchange of all of it bought' })
  exchangedFor?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Each exchange made from it: the reservation bought, and the value returned',
  })
  exchanges?: Record<string, number>;
}

export class ReservationListResource {
  @ApiProperty({ type: [ReservationSummaryResource] }) items: ReservationSummaryResource[];
}

export class ReservationDetailResource extends ReservationSummaryResource {
  @ApiProperty({ type: [ReservationChangeResource], description: 'Every change, with its revision' })
  history: ReservationChangeResource[];
  @ApiProperty({
    type: RefundAllowanceResource,
    description: "The customer's refund allowance in the rolling 12 months",
  })
  refundAllowance: RefundAllowanceResource;
  @ApiProperty() revision: string;
}

export class SplitResultResource {
  @ApiProperty({ type: [ReservationResource], minItems: 2, maxItems: 2 }) items: ReservationResource[];
}

export class RefundQuoteResponse {
  @ApiProperty({ format: 'uuid' }) reservationId: string;
  @ApiProperty({ description: 'The units quoted: those asked for, or all the reservation holds' }) quantity: number;
  @ApiProperty() refundUsd: number;
  @ApiProperty({ enum: ['USD'] }) currency: 'USD';
  @ApiProperty({ description: 'Share of the term still to run, 0..1' }) remainingShare: number;
  @ApiPropertyOptional() purchaseUnitPriceUsd?: number;
  @ApiProperty() currentUnitPriceUsd: number;
  @ApiProperty({ description: 'The lower of the two, which the refund is computed at' }) unitPriceUsd: number;
  @ApiProperty({
    description:
      'What counts toward the cap: the refund, or for a monthly reservation its cancelled commitment at the purchase price',
  })
  countedTowardCapUsd: number;
  @ApiPropertyOptional({ description: 'Monthly billing: the future payments cancellation stops' })
  cancelledFuturePaymentsUsd?: number;
  @ApiProperty({ type: RefundAllowanceResource }) allowance: RefundAllowanceResource;
  @ApiProperty({ description: "Whether cancelling now is within the customer's allowance" }) withinAllowance: boolean;
  @ApiProperty({ format: 'date-time' }) quotedAt: string;
}

export class PaymentResource {
  @ApiProperty({ description: '1 for the payment at purchase' }) paymentNumber: number;
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty() amountUsd: number;
  @ApiProperty({
    enum: ['paid', 'scheduled', 'cancelled', 'transferred'],
    description:
      'cancelled: the reservation ended before it fell due; transferred: it was split or merged, and the reservations made from it pay it',
  })
  status: string;
}

export class PaymentsResource {
  @ApiProperty({ format: 'uuid' }) reservationId: string;
  @ApiProperty({ enum: ['Upfront', 'Monthly'] }) billingPlan: string;
  @ApiProperty({ enum: ['USD'] }) currency: 'USD';
  @ApiProperty({
    description:
      'The whole schedule: the same as the upfront price for the quantity held (what is left of it for a split or merged reservation)',
  })
  totalUsd: number;
  @ApiProperty() paidUsd: number;
  @ApiProperty() scheduledUsd: number;
  @ApiProperty() cancelledUsd: number;
  @ApiProperty({ description: 'What a split or merge passed on to the reservations made from it' })
  transferredUsd: number;
  @ApiProperty({ type: [PaymentResource] }) items: PaymentResource[];
}

export const ApiReservationPayments = () =>
  ApiRead({
    type: PaymentsResource,
    description:
      'Paid and future payments: upfront, one at purchase; monthly, one a month of the term, the total equal to the upfront price. ' +
      'A reservation split or merged from monthly ones lists what is left of their schedule, numbered as in it; the payments made before are on the reservations it came from',
    view: true,
    errors: { 404: ['RESERVATION_NOT_FOUND'] },
  });

export const ApiListReservations = () =>
  ApiRead({
    type: ReservationListResource,
    description: 'SKU, region, quantity, term, scope, applied subscriptions, state, effective and expiry dates',
    view: true,
    errors: { 404: ['CUSTOMER_NOT_FOUND'] },
  });

export const ApiGetReservation = () =>
  ApiRead({
    type: ReservationDetailResource,
    description:
      "State, scope over time, every change with its revision, and the customer's refund allowance used in the rolling 12 months",
    view: true,
    revision: true,
    errors: { 404: ['RESERVATION_NOT_FOUND'] },
  });

export const ApiChangeReservationScope = () =>
  ApiCommand({
    type: ReservationResource,
    description:
      'To a resource group, a subscription, a management group or shared, free of charge; the term does not change. The discount follows from the next whole hour.',
    errors: RESERVATION_ERRORS,
  });

export const ApiChangeRenewal = () =>
  ApiCommand({
    type: ReservationResource,
    description:
      'The reservation with its renewal settings (quantity, term, billing plan); 422 RESERVATION_EXPIRED once it has expired',
    errors: RESERVATION_ERRORS,
  });

export const ApiSetAutoRenew = () =>
  ApiCommand({
    type: ReservationResource,
    description: 'The reservation with its auto-renew setting',
    errors: RESERVATION_ERRORS,
  });

export const ApiSplitReservation = () =>
  ApiCommand({
    status: HttpStatus.CREATED,
    type: SplitResultResource,
    description: 'The two new reservations, with the original end date; the original is now Split',
    revision: false,
    errors: RESERVATION_ERRORS,
  });

export const ApiMergeReservations = () =>
  ApiCommand({
    status: HttpStatus.CREATED,
    type: ReservationResource,
    description: 'The merged reservation with the summed quantity; the sources are now Merged',
    errors: RESERVATION_ERRORS,
  });

export const ApiRefundQuote = () =>
  ApiRead({
    type: RefundQuoteResponse,
    description:
      "The prorated refund at the lower of the purchase and current price, for all the reservation holds or for `quantity` of it (as POST …/return would refund them), and the customer's remaining allowance (USD 50,000 per rolling 12 months). " +
      '422 RETURN_QUANTITY_INVALID for more than it holds',
    errors: {
      404: ['RESERVATION_NOT_FOUND', 'ORDER_NOT_FOUND'],
      409: ['CART_NOT_PURCHASED'],
      422: ['RETURN_QUANTITY_INVALID'],
    },
  });

export class ExchangeResultResource {
  @ApiProperty({
    type: ReservationResource,
    description: 'The reservation given back, with what is left of it (Exchanged when all of it went)',
  })
  exchanged: ReservationResource;
  @ApiProperty({ type: ReservationResource, description: 'The reservation bought; its term starts at the exchange' })
  reservation: ReservationResource;
  @ApiProperty({
    description:
      'The commitment given back, which the purchase must make good: upfront, the refund; monthly, the leftover payments cancelled',
  })
  returnedValueUsd: number;
  @ApiProperty({
    description:
      'Money credited for what was given back (what a return of it would refund), adjusted against the purchase',
  })
  refundUsd: number;
  @ApiProperty({ description: 'The new reservation’s lifetime commitment' }) newCommitmentUsd: number;
  @ApiProperty({
    description: 'What the purchase charges at the exchange: all of it upfront, its first payment monthly',
  })
  chargedNowUsd: number;
  @ApiProperty({ description: 'Charged now less the refund; negative: a net credit' }) amountDueUsd: number;
}

export const ApiExchangeReservation = () =>
  ApiCommand({
    status: HttpStatus.CREATED,
    type: ExchangeResultResource,
    description:
      'Gives back the reservation, or returnQuantity of it, and buys the new size in one append to its reservation order. Exchanges do not count toward the refund cap. ' +
      '422 EXCHANGE_VALUE_TOO_LOW (details give both figures) when the new lifetime commitment is less than the commitment returned; 422 EXCHANGE_NOT_ALLOWED for another flexibility group or region; ' +
      '422 EXCHANGE_NOT_ELIGIBLE for a reservation its purchase date makes unexchangeable (the policy is named). ' +
      'Send If-Match or Idempotency-Key: without either, 428 PRECONDITION_REQUIRED, as a retry would exchange again',
    revision: false,
    precondition: true,
    errors: {
      ...RESERVATION_ERRORS,
      404: [...RESERVATION_ERRORS[404]!, 'CATALOG_ITEM_NOT_FOUND'],
      409: [...RESERVATION_ERRORS[409]!, 'EXCHANGE_IN_PROGRESS'],
      422: [
        ...RESERVATION_ERRORS[422]!,
        'EXCHANGE_VALUE_TOO_LOW',
        'EXCHANGE_NOT_ALLOWED',
        'EXCHANGE_NOT_ELIGIBLE',
        'RETURN_QUANTITY_INVALID',
      ],
    },
  });

export const ApiReturnReservation = () =>
  ApiCommand({
    type: ReservationResource,
    description:
      'Returns a quantity: the rest stays active with its quantity reduced, and the refund (the quoted value of the units returned) counts toward the USD 50,000 cap. ' +
      'All it holds is a cancellation. 422 RETURN_QUANTITY_INVALID for more than it holds; 409 RETURN_IN_PROGRESS when another return raced it. ' +
      'Send If-Match or Idempotency-Key: without either, 428 PRECONDITION_REQUIRED, as a retry would return again',
    precondition: true,
    errors: {
      ...RESERVATION_ERRORS,
      409: [...RESERVATION_ERRORS[409]!, 'RETURN_IN_PROGRESS', 'RESERVATION_CHANGED'],
      422: [...RESERVATION_ERRORS[422]!, 'RETURN_QUANTITY_INVALID'],
    },
  });

export const ApiCancelReservation = () =>
  ApiCommand({
    type: ReservationResource,
    description:
      'Cancelled, with the refund as quoted by GET …/refund-quote. 422 REFUND_CAP_EXCEEDED gives details.allowance',
    body: false,
    errors: RESERVATION_ERRORS,
  });
