import { EventType } from '../event-type';
import { amount, count, id, instant, record, text } from '../json-schema';
import { at, customerId, lineId, orderId, reservationId } from './event-examples';

/** A customer's refund ledger, the gate of the refund cap. */
export const REFUND_LEDGER_EVENTS: EventType[] = [
  {
    type: 'RefundRecorded',
    version: 1,
    stream: 'refund-ledger-{customerId}',
    cause:
      'A cancellation or a return of part of a reservation, before the reservation changes: counts against the USD 50,000 of the rolling 12 months',
    schema: record(
      {
        customerId: id,
        cancellationId: id,
        reservationId: id,
        orderId: id,
        amountUsd: amount,
        kind: {
          type: 'string',
          enum: ['cancellation', 'return'],
          description: 'Absent on older events: a cancellation',
        },
        quantity: count(1),
        countedUsd: {
          ...amount,
          description:
            'USD counted toward the cap when not the refund itself: a monthly reservation’s cancelled commitment at the purchase price',
        },
        expectedOrderRevision: {
          ...count(),
          description:
            'The reservation order’s revision the request named in If-Match: the order changes at that revision, or the refund is reversed',
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
    schema: record({ customerId: id, reservationId: id, cancellationId: id, reason: text, reversedAt: instant }, [
      'cancellationId',
    ]),
    example: {
      customerId,
      reservationId,
      cancellationId: lineId,
      reason: 'the reservation was split meanwhile',
      reversedAt: at,
    },
  },
];
