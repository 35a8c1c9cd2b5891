import { RecordCost, summarizeRecords } from '@app/domain';
import { amount, count, extend, flag, id, instant, JsonSchema, listOf, record, text } from './json-schema';
import { billingPlan, cartLine, reservationProvisioned, scope, splitPart, term } from './shared.schemas';

/** One event type as auditors read it: where it is written, why, its data's schema now and in every earlier version. */
export interface EventType {
  type: string;
  /** The version writers write now; stored events without metadata.schemaVersion are version 1. */
  version: number;
  /** The stream it is appended to, with the id in braces. */
  stream: string;
  /** What makes the system write it. */
  cause: string;
  /** The schema of `data` at `version`. */
  schema: JsonSchema;
  /** Earlier versions: each one's schema, and how its data becomes the next version's. */
  older?: Record<number, { schema: JsonSchema; upcast: (data: Record<string, unknown>) => Record<string, unknown> }>;
  /** Data as the seed's flow writes it. */
  example: Record<string, unknown>;
}

const CUSTOMER = 'customer-{customerId}';
const CART = 'cart-{cartId}';
const ORDER = 'order-{orderId}';
/** Reservation events are decided on their reservation order; streams of older data hold them per reservation. */
const RESERVATION = 'order-{orderId} (older data: reservation-{reservationId})';

const customerId = 'c1f3a9e2-3b7d-4a51-9f0e-2d6b8c4e7a10';
const subscriptionId = '5d2e8f41-7c3a-4b96-a1e0-9f8d7c6b5a43';
const cartId = '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d';
const orderId = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const reservationId = '3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b';
const lineId = '6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c';
const at = '2026-06-01T09:30:00.000Z';
const line = {
  lineId,
  catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
  armSkuName: 'Standard_D4s_v5',
  region: 'westeurope',
  term: 'P1Y',
  billingPlan: 'Monthly',
  quantity: 2,
  subscriptionId,
  unitPriceUsd: 1062.72,
  autoRenew: true,
};
const provisioned = {
  reservationId,
  orderId,
  orderNumber: 'RO-2026-000001',
  lineNumber: 1,
  customerId,
  partnerId: 'partner-contoso',
  catalogItemId: line.catalogItemId,
  armSkuName: line.armSkuName,
  region: 'westeurope',
  flexibilityGroup: 'DSv5 Series',
  ratio: 4,
  quantity: 2,
  term: 'P1Y',
  billingPlan: 'Monthly',
  scope: { type: 'shared' },
  appliedSubscriptionIds: [subscriptionId],
  effectiveDate: '2026-06-01T09:31:00.000Z',
  expiryDate: '2027-06-01T09:31:00.000Z',
  unitPriceUsd: 1062.72,
  autoRenew: true,
  billingSubscriptionId: subscriptionId,
};

const hours = { type: 'number', minimum: 0 };
const utilization = listOf(
  record(
    {
      reservationId: id,
      hour: instant,
      reservedHours: { type: 'number' },
      usedHours: { type: 'number' },
      bySubscription: { type: 'object', additionalProperties: { type: 'number' }, description: 'Used hours per subscription that used them' },
    },
    ['bySubscription'],
  ),
);
const subscriptionHourCost = record({
  subscriptionId: id,
  records: count(),
  quantity: hours,
  coveredHours: hours,
  payAsYouGoCostUsd: amount,
  discountedCostUsd: amount,
  savingsUsd: amount,
});
const discountedRecord = record({
  recordId: id,
  customerId: id,
  subscriptionId: id,
  hour: instant,
  quantity: hours,
  coveredHours: hours,
  payAsYouGoHours: hours,
  allocations: listOf(record({ reservationId: id, hours })),
  payAsYouGoCostUsd: amount,
  discountedCostUsd: amount,
  savingsUsd: amount,
});

/** Every event type the system writes. Add one here, with its schema, in the same change that adds it to libs/domain. */
export const EVENT_TYPES: EventType[] = [
  // Customers
  {
    type: 'CustomerRegistered',
    version: 1,
    stream: CUSTOMER,
    cause: 'POST /v1/customers',
    schema: record({ customerId: id, partnerId: id, name: text, registeredAt: instant }),
    example: { customerId, partnerId: 'partner-contoso', name: 'Contoso Pharma', registeredAt: at },
  },
  {
    type: 'SubscriptionAdded',
    version: 1,
    stream: CUSTOMER,
    cause: 'POST /v1/customers/{id}/subscriptions',
    schema: record({ customerId: id, subscriptionId: id, name: text, addedAt: instant }),
    example: { customerId, subscriptionId, name: 'Production', addedAt: at },
  },
  {
    type: 'SubscriptionSuspended',
    version: 1,
    stream: CUSTOMER,
    cause: 'POST /v1/customers/{id}/subscriptions/{sid}/suspend',
    schema: record({ customerId: id, subscriptionId: id, suspendedAt: instant }),
    example: { customerId, subscriptionId, suspendedAt: at },
  },
  {
    type: 'SubscriptionReactivated',
    version: 1,
    stream: CUSTOMER,
    cause: 'POST /v1/customers/{id}/subscriptions/{sid}/reactivate',
    schema: record({ customerId: id, subscriptionId: id, reactivatedAt: instant }),
    example: { customerId, subscriptionId, reactivatedAt: at },
  },
  {
    type: 'CustomerContactRecorded',
    version: 1,
    stream: CUSTOMER,
    cause: 'PUT /v1/customers/{id}/contact. The contact itself is in PostgreSQL, never in an event',
    schema: record({ customerId: id, recordedAt: instant }),
    example: { customerId, recordedAt: at },
  },
  {
    type: 'CustomerPersonalDataErased',
    version: 1,
    stream: CUSTOMER,
    cause: 'DELETE /v1/customers/{id}/personal-data, after the contact is deleted',
    schema: record({ customerId: id, erasedAt: instant }),
    example: { customerId, erasedAt: at },
  },
  {
    type: 'ManagementGroupCreated',
    version: 1,
    stream: CUSTOMER,
    cause: 'POST /v1/customers/{id}/management-groups',
    schema: record({ customerId: id, managementGroupId: id, name: text, createdAt: instant }),
    example: { customerId, managementGroupId: 'finance', name: 'Finance', createdAt: at },
  },
  {
    type: 'SubscriptionMovedToManagementGroup',
    version: 1,
    stream: CUSTOMER,
    cause: 'PUT /v1/customers/{id}/subscriptions/{sid}/management-group. fromManagementGroupId: the group it left, if any',
    schema: record({ customerId: id, subscriptionId: id, managementGroupId: id, fromManagementGroupId: id, movedAt: instant }, ['fromManagementGroupId']),
    example: { customerId, subscriptionId, managementGroupId: 'finance', movedAt: at },
  },
  {
    type: 'SubscriptionRemovedFromManagementGroup',
    version: 1,
    stream: CUSTOMER,
    cause: 'DELETE /v1/customers/{id}/subscriptions/{sid}/management-group',
    schema: record({ customerId: id, subscriptionId: id, managementGroupId: id, removedAt: instant }),
    example: { customerId, subscriptionId, managementGroupId: 'finance', removedAt: at },
  },
  // Carts
  {
    type: 'CartCreated',
    version: 1,
    stream: CART,
    cause: 'POST /v1/customers/{id}/carts',
    schema: record({ cartId: id, customerId: id, partnerId: id, createdAt: instant, expiresAt: instant }),
    example: { cartId, customerId, partnerId: 'partner-contoso', createdAt: at, expiresAt: '2026-06-08T09:30:00.000Z' },
  },
  {
    type: 'CartItemAdded',
    version: 1,
    stream: CART,
    cause: 'POST /v1/carts/{id}/items',
    schema: extend(cartLine, { cartId: id }),
    example: { cartId, ...line },
  },
  {
    type: 'CartItemQuantityChanged',
    version: 1,
    stream: CART,
    cause: 'PATCH /v1/carts/{id}/items/{lineId}',
    schema: record({ cartId: id, lineId: id, quantity: count(1) }),
    example: { cartId, lineId, quantity: 3 },
  },
  {
    type: 'CartItemRemoved',
    version: 1,
    stream: CART,
    cause: 'DELETE /v1/carts/{id}/items/{lineId}',
    schema: record({ cartId: id, lineId: id }),
    example: { cartId, lineId },
  },
  {
    type: 'CartScopeSet',
    version: 1,
    stream: CART,
    cause: 'PUT /v1/carts/{id}/scope',
    schema: record({ cartId: id, scope }),
    example: { cartId, scope: { type: 'single', subscriptionId } },
  },
  {
    type: 'CartPurchased',
    version: 1,
    stream: CART,
    cause: 'POST /v1/carts/{id}/purchase; written before OrderPlaced, with a full copy of what was bought',
    schema: record({
      cartId: id,
      orderId: id,
      orderNumber: text,
      purchasedAt: instant,
      lines: listOf(cartLine),
      scope,
      billingPlan,
      totalUsd: amount,
    }),
    example: {
      cartId,
      orderId,
      orderNumber: 'RO-2026-000001',
      purchasedAt: at,
      lines: [line],
      scope: { type: 'shared' },
      billingPlan: 'Monthly',
      totalUsd: 2125.44,
    },
  },
  {
    type: 'OrderNumberAllocated',
    version: 1,
    stream: 'order-numbers-{year}',
    cause: 'A purchase; the event’s revision in the year’s stream is the order number’s sequence',
    schema: record({ orderId: id }),
    example: { orderId },
  },
  // Reservation orders
  {
    type: 'OrderPlaced',
    version: 1,
    stream: ORDER,
    cause: 'A purchase (after CartPurchased), or the daily pass renewing a reservation',
    schema: record(
      {
        orderId: id,
        orderNumber: text,
        cartId: id,
        customerId: id,
        partnerId: id,
        lines: listOf(extend(cartLine, { lineNumber: count(1), totalUsd: amount, effectiveFrom: instant }, ['effectiveFrom'])),
        scope,
        billingPlan,
        currency: { const: 'USD' },
        totalUsd: amount,
        placedAt: instant,
        renewalOf: { ...record({ orderId: id, reservationId: id }), description: 'A renewal order: the reservation it renews' },
      },
      ['renewalOf'],
    ),
    example: {
      orderId,
      orderNumber: 'RO-2026-000001',
      cartId,
      customerId,
      partnerId: 'partner-contoso',
      lines: [{ ...line, lineNumber: 1, totalUsd: 2125.44 }],
      scope: { type: 'shared' },
      billingPlan: 'Monthly',
      currency: 'USD',
      totalUsd: 2125.44,
      placedAt: at,
    },
  },
  {
    type: 'OrderLineProvisioningStarted',
    version: 1,
    stream: ORDER,
    cause: 'The worker starts provisioning a line with Azure',
    schema: record({ orderId: id, lineNumber: count(1), reservationId: id, startedAt: instant }),
    example: { orderId, lineNumber: 1, reservationId, startedAt: at },
  },
  {
    type: 'OrderLineProvisioningFailed',
    version: 1,
    stream: ORDER,
    cause: 'Azure refused a line for good',
    schema: record({ orderId: id, lineNumber: count(1), code: text, reason: text, failedAt: instant }),
    example: { orderId, lineNumber: 1, code: 'QuotaExceeded', reason: 'the subscription has no quota left in westeurope', failedAt: at },
  },
  {
    type: 'OrderCompleted',
    version: 1,
    stream: ORDER,
    cause: 'Every line is provisioned',
    schema: record({ orderId: id, reservationIds: listOf(id), completedAt: instant }),
    example: { orderId, reservationIds: [reservationId], completedAt: at },
  },
  {
    type: 'OrderPartiallyFulfilled',
    version: 1,
    stream: ORDER,
    cause: 'Fulfilment ended with some lines provisioned and the others failed for good',
    schema: record({ orderId: id, reservationIds: listOf(id), failedLineNumbers: listOf(count(1)), fulfilledAt: instant }),
    example: { orderId, reservationIds: [reservationId], failedLineNumbers: [2], fulfilledAt: at },
  },
  {
    type: 'OrderFailed',
    version: 1,
    stream: ORDER,
    cause: 'No line could be provisioned, or the order could not be fulfilled (e.g. its subscription was suspended)',
    schema: record({ orderId: id, reason: text, failedAt: instant }),
    example: { orderId, reason: 'subscription 5d2e… is suspended', failedAt: at },
  },
  {
    type: 'OrderCancelled',
    version: 1,
    stream: ORDER,
    cause: 'POST /v1/orders/{id}/cancel, while pending',
    schema: record({ orderId: id, reason: text, cancelledAt: instant }),
    example: { orderId, reason: 'customer changed its mind', cancelledAt: at },
  },
  // Reservations
  {
    type: 'ReservationProvisioned',
    version: 1,
    stream: RESERVATION,
    cause: 'Azure provisioned an order line; also each reservation a split or merge makes (with origin)',
    schema: reservationProvisioned,
    example: provisioned,
  },
  {
    type: 'ReservationScopeChanged',
    version: 1,
    stream: RESERVATION,
    cause: 'PUT /v1/reservations/{id}/scope',
    schema: record({ reservationId: id, customerId: id, scope, appliedSubscriptionIds: listOf(id), changedAt: instant }),
    example: { reservationId, customerId, scope: { type: 'single', subscriptionId }, appliedSubscriptionIds: [subscriptionId], changedAt: at },
  },
  {
    type: 'ReservationScopeFellBack',
    version: 1,
    stream: RESERVATION,
    cause:
      'The subscription of a single or resource-group scope was suspended, or a management group was left with no subscription: the reservation applies shared',
    schema: record(
      {
        reservationId: id,
        customerId: id,
        fromSubscriptionId: id,
        fromScope: scope,
        scope,
        appliedSubscriptionIds: listOf(id),
        reason: text,
        fellBackAt: instant,
      },
      ['fromSubscriptionId', 'fromScope'],
    ),
    example: {
      reservationId,
      customerId,
      fromSubscriptionId: subscriptionId,
      fromScope: { type: 'single', subscriptionId },
      scope: { type: 'shared' },
      appliedSubscriptionIds: [],
      reason: 'subscription suspended',
      fellBackAt: at,
    },
  },
  {
    type: 'ReservationAutoRenewSet',
    version: 1,
    stream: RESERVATION,
    cause: 'PUT /v1/reservations/{id}/auto-renew',
    schema: record({ reservationId: id, autoRenew: flag, setAt: instant }),
    example: { reservationId, autoRenew: false, setAt: at },
  },
  {
    type: 'ReservationRenewalPriceLocked',
    version: 1,
    stream: RESERVATION,
    cause: 'The daily pass, 30 days before expiry of a reservation that renews',
    schema: record({ reservationId: id, unitPriceUsd: amount, lockedAt: instant }),
    example: { reservationId, unitPriceUsd: 1040.5, lockedAt: at },
  },
  {
    type: 'ReservationRenewalCancelled',
    version: 1,
    stream: RESERVATION,
    cause: 'The renewal no longer applies (auto-renew turned off, or the reservation ended first)',
    schema: record({ reservationId: id, reason: text, cancelledAt: instant }),
    example: { reservationId, reason: 'auto-renew turned off', cancelledAt: at },
  },
  {
    type: 'ReservationRenewalSettingsChanged',
    version: 1,
    stream: RESERVATION,
    cause: 'PUT /v1/reservations/{id}/renewal',
    schema: record({ reservationId: id, quantity: count(1), term, billingPlan, changedAt: instant }),
    example: { reservationId, quantity: 1, term: 'P3Y', billingPlan: 'Upfront', changedAt: at },
  },
  {
    type: 'ReservationRenewalFailed',
    version: 1,
    stream: RESERVATION,
    cause: 'The daily pass could not buy the renewal (e.g. its billing subscription is not active)',
    schema: record({ reservationId: id, reason: text, failedAt: instant }),
    example: { reservationId, reason: 'subscription 5d2e… is suspended', failedAt: at },
  },
  {
    type: 'ReservationRenewed',
    version: 1,
    stream: RESERVATION,
    cause: 'The first daily pass at or after expiry bought the renewal its settings then asked for: a renewal order (older releases bought it ahead)',
    schema: record(
      { reservationId: id, renewalOrderId: id, renewalOrderNumber: text, unitPriceUsd: amount, quantity: count(1), term, billingPlan, renewedAt: instant },
      ['renewalOrderNumber', 'quantity', 'term', 'billingPlan'],
    ),
    example: {
      reservationId,
      renewalOrderId: orderId,
      renewalOrderNumber: 'RO-2027-000042',
      unitPriceUsd: 1040.5,
      quantity: 2,
      term: 'P1Y',
      billingPlan: 'Monthly',
      renewedAt: '2027-06-01T09:31:00.000Z',
    },
  },
  {
    type: 'ReservationSplit',
    version: 1,
    stream: RESERVATION,
    cause: 'POST /v1/reservations/{id}/split',
    schema: record({ reservationId: id, into: listOf(splitPart), splitAt: instant }),
    example: {
      reservationId,
      into: [
        { reservationId: lineId, quantity: 1 },
        { reservationId: cartId, quantity: 1 },
      ],
      splitAt: at,
    },
  },
  {
    type: 'ReservationMerged',
    version: 1,
    stream: RESERVATION,
    cause: 'POST /v1/reservations/merge, on each source',
    schema: record({ reservationId: id, into: id, mergedWith: listOf(id), mergedAt: instant }),
    example: { reservationId, into: lineId, mergedWith: [cartId], mergedAt: at },
  },
  {
    type: 'ReservationMergeReverted',
    version: 1,
    stream: RESERVATION,
    cause: 'A merge could not finish (another source had changed): this source is given back',
    schema: record({ reservationId: id, into: id, reason: text, revertedAt: instant }),
    example: { reservationId, into: lineId, reason: 'another source changed', revertedAt: at },
  },
  {
    type: 'ReservationCancelled',
    version: 1,
    stream: RESERVATION,
    cause: 'POST /v1/reservations/{id}/cancel',
    schema: record({ reservationId: id, customerId: id, cancellationId: id, refundUsd: amount, cancelledAt: instant }, ['cancellationId']),
    example: { reservationId, customerId, cancellationId: lineId, refundUsd: 1771.2, cancelledAt: at },
  },
  {
    type: 'ReservationQuantityReturned',
    version: 1,
    stream: RESERVATION,
    cause: 'POST /v1/reservations/{id}/return with a quantity less than it holds: the rest stays active',
    schema: record({
      reservationId: id,
      customerId: id,
      cancellationId: id,
      quantity: count(1),
      remainingQuantity: count(1),
      refundUsd: amount,
      returnedAt: instant,
    }),
    example: { reservationId, customerId, cancellationId: `${reservationId}/return-at-4`, quantity: 1, remainingQuantity: 2, refundUsd: 590.4, returnedAt: at },
  },
  {
    type: 'ReservationExchanged',
    version: 1,
    stream: RESERVATION,
    cause:
      'An exchange (POST /v1/exchanges, POST /v1/reservations/{id}/exchange): in the same append as the ReservationProvisioned of the reservation it bought, or, for a reservation of another order, when its hold completes',
    schema: record(
      {
        reservationId: id,
        customerId: id,
        exchangeId: id,
        quantity: count(1),
        remainingQuantity: count(0),
        returnedValueUsd: amount,
        refundUsd: amount,
        remainingCommitmentUsd: amount,
        newReservationId: id,
        newCommitmentUsd: amount,
        exchangedAt: instant,
      },
      ['refundUsd', 'remainingCommitmentUsd'],
    ),
    example: {
      reservationId,
      customerId,
      exchangeId: `${reservationId}/exchange-1`,
      quantity: 2,
      remainingQuantity: 0,
      returnedValueUsd: 1771.2,
      refundUsd: 1771.2,
      remainingCommitmentUsd: 1771.2,
      newReservationId: lineId,
      newCommitmentUsd: 2373.64,
      exchangedAt: at,
    },
  },
  {
    type: 'ReservationExchangeHeld',
    version: 1,
    stream: RESERVATION,
    cause: 'POST /v1/exchanges returning reservations of several orders: each one outside the first one’s order, before the exchange is decided there',
    schema: record({
      reservationId: id,
      customerId: id,
      exchangeId: id,
      quantity: count(1),
      refundUsd: amount,
      remainingCommitmentUsd: amount,
      heldAt: instant,
    }),
    example: {
      reservationId,
      customerId,
      exchangeId: 'a7c1e0f2-5b3d-4c8e-9f1a-2b3c4d5e6f70',
      quantity: 1,
      refundUsd: 512.4,
      remainingCommitmentUsd: 512.4,
      heldAt: at,
    },
  },
  {
    type: 'ReservationExchangeReleased',
    version: 1,
    stream: RESERVATION,
    cause: 'An exchange of several orders was refused: what it held is given back',
    schema: record({ reservationId: id, exchangeId: id, reason: text, releasedAt: instant }),
    example: { reservationId, exchangeId: 'a7c1e0f2-5b3d-4c8e-9f1a-2b3c4d5e6f70', reason: 'reservation r-2 was split meanwhile', releasedAt: at },
  },
  {
    type: 'ReservationPaymentRecorded',
    version: 1,
    stream: RESERVATION,
    cause: 'A reservation bought (an upfront one’s only payment, a monthly one’s first), then the daily pass for each monthly payment fallen due',
    schema: record({ reservationId: id, customerId: id, paymentNumber: count(1), amountUsd: amount, quantity: count(1), dueAt: instant, recordedAt: instant }, [
      'quantity',
    ]),
    example: {
      reservationId,
      customerId,
      paymentNumber: 2,
      amountUsd: 177.12,
      quantity: 2,
      dueAt: '2026-07-01T09:31:00.000Z',
      recordedAt: '2026-07-02T00:05:00.000Z',
    },
  },
  {
    type: 'ReservationExpired',
    version: 1,
    stream: RESERVATION,
    cause: 'The first daily pass at or after the expiry instant, with the renewal, if any, in the same append',
    schema: record({ reservationId: id, expiredAt: instant }),
    example: { reservationId, expiredAt: '2027-06-01T09:31:00.000Z' },
  },
  // Refunds
  {
    type: 'RefundRecorded',
    version: 1,
    stream: 'refund-ledger-{customerId}',
    cause: 'A cancellation or a return of part of a reservation, before the reservation changes: counts against the USD 50,000 of the rolling 12 months',
    schema: record(
      {
        customerId: id,
        cancellationId: id,
        reservationId: id,
        orderId: id,
        amountUsd: amount,
        kind: { type: 'string', enum: ['cancellation', 'return'], description: 'Absent on older events: a cancellation' },
        quantity: count(1),
        countedUsd: {
          ...amount,
          description: 'USD counted toward the cap when not the refund itself: a monthly reservation’s cancelled commitment at the purchase price',
        },
        expectedOrderRevision: {
          ...count(),
          description: 'The reservation order’s revision the request named in If-Match: the order changes at that revision, or the refund is reversed',
        },
        refundedAt: instant,
      },
      ['cancellationId', 'orderId', 'kind', 'quantity', 'countedUsd', 'expectedOrderRevision'],
    ),
    example: { customerId, cancellationId: lineId, reservationId, orderId, amountUsd: 1771.2, refundedAt: at },
  },
  {
    type: 'RefundReversed',
    version: 1,
    stream: 'refund-ledger-{customerId}',
    cause: 'The cancellation the refund was recorded for did not happen (the reservation had changed meanwhile)',
    schema: record({ customerId: id, reservationId: id, cancellationId: id, reason: text, reversedAt: instant }, ['cancellationId']),
    example: { customerId, reservationId, cancellationId: lineId, reason: 'the reservation was split meanwhile', reversedAt: at },
  },
  // Discount
  {
    type: 'DiscountApplied',
    version: 3,
    stream: 'discount-{customerId}-{yyyymmdd}',
    cause:
      'A discount job applied the reservations to a customer-day of usage: the hours whose result changed, one event for many hours (a day of big hours takes several); a rerun with the same results writes nothing',
    schema: record({
      customerId: id,
      date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'The UTC day' },
      hours: listOf(record({ hour: instant, resultHash: text, subscriptions: listOf(subscriptionHourCost), recordCount: count(), utilization })),
    }),
    older: {
      // Version 1 kept every record; an hour of more than about 2,000 records could not be written. Version 2 sums them per subscription.
      1: {
        schema: record({ customerId: id, hour: instant, resultHash: text, records: listOf(discountedRecord), utilization }),
        // Version 1 → 2: the records summed per subscription, exactly as the discount job sums them now.
        upcast: ({ records, ...rest }) => ({ ...rest, ...summarizeRecords(records as RecordCost[]) }),
      },
      // Version 2 held one hour, in a stream per customer-hour (`discount-{customerId}-{yyyymmddhh}`). Version 3 holds a day's changed hours.
      2: {
        schema: record({ customerId: id, hour: instant, resultHash: text, subscriptions: listOf(subscriptionHourCost), recordCount: count(), utilization }),
        // Version 2 → 3: the one hour as a day of one hour.
        upcast: ({ customerId, ...hour }) => ({ customerId, date: String(hour.hour).slice(0, 10), hours: [hour] }),
      },
    },
    example: {
      customerId,
      date: '2026-06-01',
      hours: [
        {
          hour: '2026-06-01T10:00:00.000Z',
          resultHash: 'kq3M…',
          subscriptions: [{ subscriptionId, records: 3, quantity: 2.5, coveredHours: 2, payAsYouGoCostUsd: 0.48, discountedCostUsd: 0.096, savingsUsd: 0.384 }],
          recordCount: 3,
          utilization: [{ reservationId, hour: '2026-06-01T10:00:00.000Z', reservedHours: 2, usedHours: 2, bySubscription: { [subscriptionId]: 2 } }],
        },
      ],
    },
  },
  {
    type: 'SandboxClockStarted',
    version: 1,
    stream: 'sandbox-clock',
    cause: 'The sandbox clock read for the first time (SANDBOX_CLOCK=true): where it starts',
    schema: record({ at: instant }),
    example: { at },
  },
  {
    type: 'SandboxClockMoved',
    version: 1,
    stream: 'sandbox-clock',
    cause: 'PUT /v1/sandbox/clock (integration environments only, SANDBOX_CLOCK=true)',
    schema: record({ from: instant, to: instant, movedAt: instant }),
    example: { from: at, to: '2027-06-02T00:05:00.000Z', movedAt: at },
  },
  {
    type: 'ExchangeRequested',
    version: 1,
    stream: 'exchange-{exchangeId}',
    cause: 'POST /v1/exchanges returning reservations of several reservation orders, before any of them is changed',
    schema: record({
      exchangeId: id,
      customerId: id,
      partnerId: id,
      returns: listOf(record({ reservationId: id, orderId: id, quantity: count(1) })),
      purchase: record({ catalogItemId: id, quantity: count(1), billingPlan }),
      newReservationId: id,
      requestedAt: instant,
    }),
    example: {
      exchangeId: 'a7c1e0f2-5b3d-4c8e-9f1a-2b3c4d5e6f70',
      customerId,
      partnerId: 'partner-contoso',
      returns: [
        { reservationId, orderId, quantity: 2 },
        { reservationId: lineId, orderId: cartId, quantity: 1 },
      ],
      purchase: { catalogItemId: 'ri-standard_d8s_v5-westeurope-p1y', quantity: 2, billingPlan: 'Upfront' },
      newReservationId: subscriptionId,
      requestedAt: at,
    },
  },
  {
    type: 'ExchangeCompleted',
    version: 1,
    stream: 'exchange-{exchangeId}',
    cause: 'Every reservation of an exchange of several orders was given back and the purchase made',
    schema: record({ exchangeId: id, newReservationId: id, completedAt: instant }),
    example: { exchangeId: 'a7c1e0f2-5b3d-4c8e-9f1a-2b3c4d5e6f70', newReservationId: subscriptionId, completedAt: at },
  },
  {
    type: 'ExchangeFailed',
    version: 1,
    stream: 'exchange-{exchangeId}',
    cause: 'An exchange of several orders was refused on one of them; what it held was given back',
    schema: record({ exchangeId: id, code: text, reason: text, failedAt: instant }),
    example: {
      exchangeId: 'a7c1e0f2-5b3d-4c8e-9f1a-2b3c4d5e6f70',
      code: 'RESERVATION_NOT_ACTIVE',
      reason: 'reservation … is split and can no longer be changed',
      failedAt: at,
    },
  },
];
