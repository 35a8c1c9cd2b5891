import { EventType } from '../event-type';
import { amount, count, extend, id, instant, listOf, oneOf, record, text } from '../json-schema';
import { billingPlan, cartLine, scope } from '../shared.schemas';
import { at, cartId, customerId, line, orderId, provisioned, reservationId } from './event-examples';
import { RESERVATION_EVENTS } from './reservation.events';

const ORDER = 'order-{orderId}';

/** Reservation orders: the order number, then the order's own life. */
export const ORDER_EVENTS: EventType[] = [
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
        lines: listOf(
          extend(cartLine, { lineNumber: count(1), totalUsd: amount, effectiveFrom: instant }, ['effectiveFrom']),
        ),
        scope,
        billingPlan,
        currency: { const: 'USD' },
        totalUsd: amount,
        placedAt: instant,
        renewalOf: {
          ...record({ orderId: id, reservationId: id }),
          description: 'A renewal order: the reservation it renews',
        },
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
    example: {
      orderId,
      lineNumber: 1,
      code: 'QuotaExceeded',
      reason: 'the subscription has no quota left in westeurope',
      failedAt: at,
    },
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
    schema: record({
      orderId: id,
      reservationIds: listOf(id),
      failedLineNumbers: listOf(count(1)),
      fulfilledAt: instant,
    }),
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
  {
    type: 'ReservationStreamsMigrated',
    version: 1,
    stream: ORDER,
    cause:
      'npm run migrate:reservation-streams, once for an order fulfilled before it held its reservations: the streams of its reservations (reservation-{reservationId}), their events copied in order',
    schema: record({
      orderId: id,
      streams: listOf(
        record({
          reservationId: id,
          events: listOf(
            record({
              type: oneOf(...RESERVATION_EVENTS.map((entry) => entry.type)),
              data: {
                type: 'object',
                description: 'As the schema of its type says, at its current version when migrated',
              },
            }),
          ),
        }),
      ),
      migratedAt: instant,
    }),
    example: {
      orderId,
      streams: [
        {
          reservationId,
          events: [
            { type: 'ReservationProvisioned', data: provisioned },
            {
              type: 'ReservationAutoRenewSet',
              data: { reservationId, autoRenew: false, setAt: '2026-07-01T09:30:00.000Z' },
            },
          ],
        },
      ],
      migratedAt: '2026-12-01T08:00:00.000Z',
    },
  },
];
