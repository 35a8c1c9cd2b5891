import { EventType } from '../event-type';
import { count, id, instant, listOf, record, text } from '../json-schema';
import { billingPlan } from '../shared.schemas';
import { at, cartId, customerId, lineId, orderId, reservationId, subscriptionId } from './event-examples';

/** Exchanges spanning several reservation orders. */
export const EXCHANGE_EVENTS: EventType[] = [
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
