import { active, applying, ReservationCommand, reservationDecider } from '../reservation/reservation.decider';
import { ActiveReservation, Reservation } from '../reservation/reservation';
import { ReservationEvent, SplitPart } from '../reservation/reservation.events';
import { mergedReservation, splitReservations } from '../reservation/reservation-changes';
import { paymentSchedule } from '../reservation/payment-schedule';
import { Message } from '../shared/decider';
import { illegalState, ruleViolated } from '../shared/domain-error';
import { OrderEvent, PlacedOrder, reservationOf } from './order';

/**
 * The partner's and the system's changes to a reservation of the order,
 * decided on the order's stream with its one expected revision, so that
 * none of them races another change of the order.
 */
export type ReservationChangeCommand =
  /** A change of one reservation of the order. */
  | Message<'ChangeReservation', { reservationId: string; change: ReservationCommand }>
  | Message<'SplitReservation', { reservationId: string; into: SplitPart[]; now: string }>
  | Message<'MergeReservations', { reservationIds: string[]; targetReservationId: string; now: string }>
  /** The return of a whole reservation; `cancellationId` names the refund the customer's ledger recorded for it. */
  | Message<
      'CancelReservation',
      /** `quantity`: what the reservation held when the refund was quoted; a return since then changed the refund, so the cancellation is refused. */
      { reservationId: string; cancellationId: string; refundUsd: number; quantity?: number; now: string }
    >
  /** The return of part of a reservation's quantity; the rest stays active. */
  | Message<
      'ReturnReservationQuantity',
      { reservationId: string; cancellationId: string; quantity: number; refundUsd: number; now: string }
    >;

/** A quantity to return must be a whole number from 1 up to what the reservation holds (all of it is a cancellation). */
export const returnQuantityInvalid = (quantity: number, held: number) =>
  ruleViolated(
    'RETURN_QUANTITY_INVALID',
    `a return takes a whole quantity from 1 to the reservation's quantity, ${held}; ${quantity} was asked`,
  );

/** Held for an exchange decided on another order, it refuses every other change until the exchange completes or releases it. */
export function notHeld(reservation: ActiveReservation, exchangeId?: string): ActiveReservation {
  const hold = reservation.exchangeHold;
  if (hold && hold.exchangeId !== exchangeId) {
    throw illegalState(
      'EXCHANGE_IN_PROGRESS',
      `reservation ${reservation.reservationId} is being exchanged (exchange ${hold.exchangeId}); read it again shortly`,
    );
  }
  return reservation;
}

/**
 * A reservation about to be split, merged, returned, exchanged or cancelled,
 * with the monthly payments fallen due by now recorded first: they were owed
 * for what it held when they fell due, and what is made from it, or refunded
 * for it, goes on from its last payment. None is skipped, none taken twice.
 */
function withDuePaymentsRecorded(
  reservation: ActiveReservation,
  now: string,
): { paid: ReservationEvent[]; reservation: ActiveReservation } {
  const paid = reservationDecider.decide({ type: 'RecordDuePayments', data: { now } }, reservation);
  return { paid, reservation: active(paid.reduce(reservationDecider.evolve, reservation as Reservation)) };
}

/**
 * A reservation about to be returned, exchanged or cancelled at the instant
 * its value was quoted, with its payments due recorded first. The decision
 * comes later (the request's settlement, or the reactor's after a crash): a
 * payment the daily pass took in between, fallen due after the quote, was
 * counted by the quote as a future payment cancelled, so the value would be
 * short of it. Quote again.
 */
export function asQuoted(
  reservation: ActiveReservation,
  quotedAt: string,
): { paid: ReservationEvent[]; reservation: ActiveReservation } {
  const settled = withDuePaymentsRecorded(reservation, quotedAt);
  const recorded = settled.reservation.paymentsRecorded ?? 0;
  const since = paymentSchedule(settled.reservation).find(
    (payment) => payment.paymentNumber <= recorded && payment.dueAt > quotedAt,
  );
  if (since) {
    throw illegalState(
      'RESERVATION_CHANGED',
      `payment ${since.paymentNumber} of reservation ${reservation.reservationId} (due ${since.dueAt}) was taken after its refund was quoted; quote again`,
    );
  }
  return settled;
}

function decideChange(order: PlacedOrder, reservationId: string, change: ReservationCommand): OrderEvent[] {
  if (
    change.type === 'Split' ||
    change.type === 'MergeInto' ||
    change.type === 'Cancel' ||
    change.type === 'RecordProvisionedReservation' ||
    change.type === 'RevertMerge'
  ) {
    throw new Error(`${change.type} is decided by the reservation order as a whole`);
  }
  const reservation = reservationOf(order, reservationId);
  // The partner's own changes wait for an exchange holding it; the system's (payments, price lock, expiry, fall-back) decide for themselves.
  if (change.type === 'ChangeScope' || change.type === 'SetAutoRenew' || change.type === 'ChangeRenewalSettings')
    notHeld(reservation);
  return reservationDecider.decide(change, reservation);
}

function decideSplit(order: PlacedOrder, reservationId: string, into: SplitPart[], now: string): OrderEvent[] {
  const current = reservationOf(order, reservationId);
  if (current.status === 'Split' && JSON.stringify(current.splitInto) === JSON.stringify(into)) return []; // a retry
  const { paid, reservation } = withDuePaymentsRecorded(applying(notHeld(current), now), now);
  const ending = reservationDecider.decide({ type: 'Split', data: { into, now } }, reservation);
  const parts = splitReservations(reservation, into, now);
  return [...paid, ...ending, ...parts.map((data) => ({ type: 'ReservationProvisioned' as const, data }))];
}

function decideMerge(
  order: PlacedOrder,
  reservationIds: string[],
  targetReservationId: string,
  now: string,
): OrderEvent[] {
  const foreign = reservationIds.filter((id) => !order.reservations[id]);
  if (foreign.length > 0) {
    throw ruleViolated(
      'MERGE_ACROSS_ORDERS',
      `reservations ${foreign.join(', ')} are not in reservation order ${order.orderNumber}; only reservations of one reservation order can be merged`,
    );
  }
  const existing = order.reservations[targetReservationId];
  if (existing) return []; // a retry: the merge already happened
  const settled = reservationIds.map((id) =>
    withDuePaymentsRecorded(applying(notHeld(order.reservations[id]), now), now),
  );
  const sources = settled.map(({ reservation }) => reservation);
  const target = mergedReservation(sources, targetReservationId, now);
  const endings = sources.flatMap((source) =>
    reservationDecider.decide(
      { type: 'MergeInto', data: { targetReservationId, mergedWith: reservationIds, now } },
      source,
    ),
  );
  return [...settled.flatMap(({ paid }) => paid), ...endings, { type: 'ReservationProvisioned', data: target }];
}

function decideCancelReservation(
  order: PlacedOrder,
  command: Extract<ReservationChangeCommand, { type: 'CancelReservation' }>['data'],
): OrderEvent[] {
  const reservation = reservationOf(order, command.reservationId);
  if (reservation.status === 'Cancelled' && reservation.cancellationId === command.cancellationId) return []; // a retry
  const { paid, reservation: settled } = asQuoted(applying(notHeld(reservation), command.now), command.now);
  const { reservationId, customerId, quantity } = settled;
  if (command.quantity !== undefined && command.quantity !== quantity) {
    throw illegalState(
      'RESERVATION_CHANGED',
      `reservation ${reservationId} now holds ${quantity}, not the ${command.quantity} its refund was quoted for; quote and cancel again`,
    );
  }
  return [
    ...paid,
    {
      type: 'ReservationCancelled',
      data: {
        reservationId,
        customerId,
        cancellationId: command.cancellationId,
        refundUsd: command.refundUsd,
        cancelledAt: command.now,
      },
    },
  ];
}

/**
 * Part of a reservation's quantity goes back; at least one unit stays (a
 * return of all of it is a cancellation). A return already made under the
 * same cancellation id is a retry and writes nothing.
 */
function decideReturnQuantity(
  order: PlacedOrder,
  command: Extract<ReservationChangeCommand, { type: 'ReturnReservationQuantity' }>['data'],
): OrderEvent[] {
  const reservation = reservationOf(order, command.reservationId);
  if (reservation.returns?.some((returned) => returned.cancellationId === command.cancellationId)) return []; // a retry
  const { cancellationId, quantity, refundUsd, now } = command;
  // Payments that fell due before the return are for all it held then.
  const { paid, reservation: settled } = asQuoted(applying(notHeld(reservation), now), now);
  const { reservationId, customerId, quantity: held } = settled;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity >= held) {
    throw returnQuantityInvalid(quantity, held);
  }
  return [
    ...paid,
    {
      type: 'ReservationQuantityReturned',
      data: {
        reservationId,
        customerId,
        cancellationId,
        quantity,
        remainingQuantity: held - quantity,
        refundUsd,
        returnedAt: now,
      },
    },
  ];
}

/** One change of a reservation of the order. */
export function decideReservationChange(command: ReservationChangeCommand, order: PlacedOrder): OrderEvent[] {
  switch (command.type) {
    case 'ChangeReservation':
      return decideChange(order, command.data.reservationId, command.data.change);
    case 'SplitReservation':
      return decideSplit(order, command.data.reservationId, command.data.into, command.data.now);
    case 'MergeReservations':
      return decideMerge(order, command.data.reservationIds, command.data.targetReservationId, command.data.now);
    case 'CancelReservation':
      return decideCancelReservation(order, command.data);
    case 'ReturnReservationQuantity':
      return decideReturnQuantity(order, command.data);
  }
}
