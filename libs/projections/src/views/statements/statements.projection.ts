import {
  chargeKind,
  monthOf,
  OrderPlacedData,
  perVm,
  ReservationEvent,
  ReservationProvisionedData,
  StatementLine,
  statementMonth,
} from '@app/domain';
import { ProjectedEvent, Projection, ViewDocument, ViewWrite } from '../../projection';
import { STATEMENTS, statementKeys, StatementMonth, StatementOrder, StatementReservation } from './statements.view';

type Event = ReservationEvent | { type: 'OrderPlaced'; data: OrderPlacedData };

/** When the system recorded an event: the Clock's time its command was handled at. */
const recordedAt = (event: ProjectedEvent) =>
  typeof event.metadata.timestamp === 'string' ? event.metadata.timestamp : event.created.toISOString();

/** The charge or credit an event is, before its reservation's facts are known: date, amount, and what it is. */
function moneyOf(event: Event):
  | {
      reservationId: string;
      date: string;
      amountUsd: number;
      quantity?: number;
      paymentNumber?: number;
      credit?: 'refund' | 'exchangeRefund';
    }
  | undefined {
  switch (event.type) {
    case 'ReservationPaymentRecorded': {
      const { reservationId, dueAt, amountUsd, quantity, paymentNumber } = event.data;
      return { reservationId, date: dueAt, amountUsd, quantity, paymentNumber };
    }
    case 'ReservationCancelled':
      return {
        reservationId: event.data.reservationId,
        date: event.data.cancelledAt,
        amountUsd: -event.data.refundUsd,
        credit: 'refund',
      };
    case 'ReservationQuantityReturned': {
      const { reservationId, returnedAt, refundUsd, quantity } = event.data;
      return { reservationId, date: returnedAt, amountUsd: -refundUsd, quantity, credit: 'refund' };
    }
    case 'ReservationExchanged': {
      // Exchanges recorded before their refund was kept as money have none to list.
      const { reservationId, exchangedAt, refundUsd, quantity } = event.data;
      return refundUsd === undefined
        ? undefined
        : { reservationId, date: exchangedAt, amountUsd: -refundUsd, quantity, credit: 'exchangeRefund' };
    }
    default:
      return undefined;
  }
}

/**
 * Each customer's monthly statement: one line per charge (a payment taken)
 * or credit (the refund of a cancellation, a return or an exchange), in the
 * month of its date, or, recorded after that month closed, in the month it
 * was recorded in, so a closed month never changes. A line names the event
 * it comes from, and a redelivered event writes the same line again.
 */
export const statementsProjection: Projection = {
  name: STATEMENTS,
  eventTypes: [
    'OrderPlaced',
    'ReservationProvisioned',
    'ReservationPaymentRecorded',
    'ReservationCancelled',
    'ReservationQuantityReturned',
    'ReservationExchanged',
  ],
  reads(stored) {
    const event = stored as unknown as Event;
    if (event.type === 'OrderPlaced') return [];
    if (event.type === 'ReservationProvisioned')
      return [statementKeys.order(event.data.orderId), statementKeys.reservation(event.data.reservationId)];
    const money = moneyOf(event);
    if (!money) return [];
    const reservationKey = statementKeys.reservation(money.reservationId);
    // The month depends on the customer, which only the reservation's document knows; both months a line may stand in are read.
    return [reservationKey, ...monthKeysFor(stored, money.date)];
  },
  apply(stored, documents) {
    const event = stored as unknown as Event;
    if (event.type === 'OrderPlaced') {
      const { orderId, renewalOf, lines } = event.data;
      const order: StatementOrder = {
        renewal: renewalOf !== undefined,
        lineSubscriptions: Object.fromEntries(lines.map((line) => [line.lineNumber, line.subscriptionId])),
      };
      return [{ kind: 'put', key: statementKeys.order(orderId), document: order }];
    }
    if (event.type === 'ReservationProvisioned')
      return [
        {
          kind: 'put',
          key: statementKeys.reservation(event.data.reservationId),
          document: reservationOf(event.data, documents),
        },
      ];
    const money = moneyOf(event);
    if (!money) return [];
    const reservationKey = statementKeys.reservation(money.reservationId);
    const reservation = documents[reservationKey] as StatementReservation | undefined;
    // A reservation recorded before this view kept it (the rebuild reads it first, so only a broken history lacks it).
    if (!reservation) return [];
    const writes: ViewWrite[] = [];
    const held =
      'remainingQuantity' in event.data ? (event.data as { remainingQuantity: number }).remainingQuantity : undefined;
    if (held !== undefined)
      writes.push({ kind: 'put', key: reservationKey, document: { ...reservation, quantity: held } });
    if (money.amountUsd === 0) return writes;
    const at = recordedAt(stored);
    const { month, late } = statementMonth(money.date, at);
    const quantity = money.quantity ?? reservation.quantity;
    const line: StatementLine = {
      lineId: stored.id,
      kind: money.credit ?? chargeKind(reservation.billingPlan, reservation.boughtBy),
      date: money.date,
      recordedAt: at,
      ...(late ? { late: true as const } : {}),
      customerId: reservation.customerId,
      subscriptionId: reservation.subscriptionId,
      reservationId: money.reservationId,
      orderId: reservation.orderId,
      orderNumber: reservation.orderNumber,
      quantity,
      unitPriceUsd: perVm(money.amountUsd, quantity),
      amountUsd: money.amountUsd,
      ...(money.paymentNumber !== undefined ? { paymentNumber: money.paymentNumber } : {}),
      source: { stream: stored.streamId, revision: stored.revision, type: stored.type },
    };
    const key = statementKeys.month(reservation.customerId, month);
    const previous = documents[key] as StatementMonth | undefined;
    const lines = [...(previous?.lines ?? []).filter((kept) => kept.lineId !== line.lineId), line];
    writes.push({
      kind: 'put',
      key,
      document: { customerId: reservation.customerId, month, lines } satisfies StatementMonth,
    });
    writes.push({
      kind: 'index',
      key: statementKeys.monthsOfCustomer(reservation.customerId),
      score: Date.parse(`${month}-01T00:00:00.000Z`),
      member: month,
    });
    return writes;
  },
};

/** A month document's key needs the customer: every money event of a reservation names it, or its reservation does. */
function monthKeysFor(stored: ProjectedEvent, date: string): string[] {
  const customerId = (stored.data as { customerId?: string }).customerId;
  if (!customerId) return [];
  return [
    ...new Set([
      statementKeys.month(customerId, monthOf(date)),
      statementKeys.month(customerId, statementMonth(date, recordedAt(stored)).month),
    ]),
  ];
}

function reservationOf(
  data: ReservationProvisionedData,
  documents: Record<string, ViewDocument | undefined>,
): StatementReservation {
  const order = documents[statementKeys.order(data.orderId)] as StatementOrder | undefined;
  const boughtBy = data.origin?.type === 'exchange' ? 'exchange' : order?.renewal && !data.origin ? 'renewal' : 'order';
  return {
    customerId: data.customerId,
    orderId: data.orderId,
    orderNumber: data.orderNumber,
    subscriptionId:
      data.billingSubscriptionId ?? order?.lineSubscriptions[data.lineNumber] ?? data.appliedSubscriptionIds[0],
    billingPlan: data.billingPlan,
    boughtBy,
    quantity: data.quantity,
  };
}
