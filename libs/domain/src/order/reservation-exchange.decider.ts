import {
  checkExchangeable,
  checkExchangeSources,
  exchangeFigures,
  ExchangePurchase,
  valueReturned,
  ValueReturned,
} from '../reservation/exchange';
import { applying } from '../reservation/reservation.decider';
import { ActiveReservation } from '../reservation/reservation';
import { exchangedReservation } from '../reservation/reservation-changes';
import { paymentsAtPurchase } from '../reservation/payment-schedule';
import { Message } from '../shared/decider';
import { illegalState } from '../shared/domain-error';
import { OrderEvent, PlacedOrder, reservationOf } from './order';
import { asQuoted, notHeld, returnQuantityInvalid } from './reservation-changes.decider';

/**
 * Exchanges on the order: one decided here as a whole, and the holds that
 * let an exchange decided on another order take this order's reservations.
 */
export type ReservationExchangeCommand =
  /**
   * An exchange, decided here as a whole: the reservations of this order it
   * returns (each worth what a return of it would refund at the market price
   * `currentUnitPriceUsd`), those of other orders already held for it, and
   * the purchase, bought in this order in the same append.
   */
  | Message<
      'ExchangeReservations',
      {
        exchangeId: string;
        returns: Array<{ reservationId: string; quantity: number; currentUnitPriceUsd: number }>;
        heldElsewhere: Array<ValueReturned & { reservationId: string }>;
        purchase: ExchangePurchase & { reservationId: string };
        now: string;
      }
    >
  /** A reservation of this order held for an exchange decided on another order; checked and valued as that exchange will return it. */
  | Message<
      'HoldForExchange',
      {
        reservationId: string;
        exchangeId: string;
        quantity: number;
        currentUnitPriceUsd: number;
        purchase: Pick<ExchangePurchase, 'item'>;
        now: string;
      }
    >
  | Message<
      'ReleaseExchangeHold',
      { reservationId: string; exchangeId: string; newReservationId: string; reason: string; now: string }
    >
  /** The exchange it was held for was made: the held quantity leaves it, for what the hold valued it. */
  | Message<
      'CompleteHeldExchange',
      { reservationId: string; exchangeId: string; newReservationId: string; newCommitmentUsd: number }
    >;

/**
 * An exchange decided on this order in one append: each reservation of it
 * given back loses the quantity (all of it ends it), and the purchase is
 * bought here, so either all of it happens or none. Reservations of other
 * orders given back were held for it first (their value comes with the
 * command). Its value check is Azure's: the new lifetime commitment must be
 * at least the remaining commitment returned. A repeat (the purchase is
 * already here) writes nothing.
 */
function decideExchange(
  order: PlacedOrder,
  command: Extract<ReservationExchangeCommand, { type: 'ExchangeReservations' }>['data'],
): OrderEvent[] {
  const { exchangeId, returns, heldElsewhere, purchase, now } = command;
  if (order.reservations[purchase.reservationId]) return []; // a retry
  const settled = returns.map(({ reservationId, quantity, currentUnitPriceUsd }) => {
    const { paid, reservation } = asQuoted(applying(notHeld(reservationOf(order, reservationId)), now), now);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > reservation.quantity)
      throw returnQuantityInvalid(quantity, reservation.quantity);
    checkExchangeable(reservation, purchase);
    return { paid, reservation, quantity, value: valueReturned(reservation, quantity, currentUnitPriceUsd, now) };
  });
  checkExchangeSources(settled);
  const figures = exchangeFigures([...settled.map(({ value }) => value), ...heldElsewhere], purchase);
  const returnedIds = [
    ...settled.map(({ reservation }) => reservation.reservationId),
    ...heldElsewhere.map(({ reservationId }) => reservationId),
  ];
  const bought = exchangedReservation(settled[0].reservation, purchase, now, returnedIds);
  const given = settled.flatMap(({ paid, reservation, quantity, value }): OrderEvent[] => [
    ...paid,
    ...(quantity === reservation.quantity && reservation.autoRenew
      ? [
          {
            type: 'ReservationRenewalCancelled' as const,
            data: { reservationId: reservation.reservationId, reason: 'exchange', cancelledAt: now },
          },
        ]
      : []),
    exchanged(reservation, exchangeId, quantity, value, purchase.reservationId, figures.newCommitmentUsd, now),
  ]);
  return [...given, { type: 'ReservationProvisioned', data: bought }, ...paymentsAtPurchase(bought, now)];
}

const exchanged = (
  reservation: ActiveReservation,
  exchangeId: string,
  quantity: number,
  value: ValueReturned,
  newReservationId: string,
  newCommitmentUsd: number,
  exchangedAt: string,
): OrderEvent => ({
  type: 'ReservationExchanged',
  data: {
    reservationId: reservation.reservationId,
    customerId: reservation.customerId,
    exchangeId,
    quantity,
    remainingQuantity: reservation.quantity - quantity,
    returnedValueUsd: value.remainingCommitmentUsd,
    refundUsd: value.refundUsd,
    remainingCommitmentUsd: value.remainingCommitmentUsd,
    newReservationId,
    newCommitmentUsd,
    exchangedAt,
  },
});

function decideHold(
  order: PlacedOrder,
  command: Extract<ReservationExchangeCommand, { type: 'HoldForExchange' }>['data'],
): OrderEvent[] {
  const { reservationId, exchangeId, quantity, currentUnitPriceUsd, purchase, now } = command;
  const current = reservationOf(order, reservationId);
  if (current.exchangeHold?.exchangeId === exchangeId) return []; // a retry
  if (current.releasedExchanges?.includes(exchangeId)) {
    throw illegalState(
      'EXCHANGE_RELEASED',
      `exchange ${exchangeId} was given up; reservation ${reservationId} is no longer held for it`,
    );
  }
  const { paid, reservation } = asQuoted(applying(notHeld(current), now), now);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > reservation.quantity)
    throw returnQuantityInvalid(quantity, reservation.quantity);
  checkExchangeable(reservation, purchase);
  const value = valueReturned(reservation, quantity, currentUnitPriceUsd, now);
  const held: OrderEvent = {
    type: 'ReservationExchangeHeld',
    data: { reservationId, customerId: reservation.customerId, exchangeId, quantity, ...value, heldAt: now },
  };
  return [...paid, held];
}

function decideRelease(
  order: PlacedOrder,
  command: Extract<ReservationExchangeCommand, { type: 'ReleaseExchangeHold' }>['data'],
): OrderEvent[] {
  const { reservationId, exchangeId, newReservationId, reason, now } = command;
  const reservation = reservationOf(order, reservationId);
  // Released already, or the exchange was made: nothing to give back.
  if (reservation.releasedExchanges?.includes(exchangeId) || reservation.exchanges?.[newReservationId] !== undefined)
    return [];
  // Released even where it was never held, so that a hold for it arriving late is refused.
  return [{ type: 'ReservationExchangeReleased', data: { reservationId, exchangeId, reason, releasedAt: now } }];
}

function decideCompleteHeld(
  order: PlacedOrder,
  command: Extract<ReservationExchangeCommand, { type: 'CompleteHeldExchange' }>['data'],
): OrderEvent[] {
  const { reservationId, exchangeId, newReservationId, newCommitmentUsd } = command;
  const reservation = reservationOf(order, reservationId);
  if (reservation.exchanges?.[newReservationId] !== undefined) return []; // a retry
  const hold = reservation.exchangeHold;
  if (!hold || hold.exchangeId !== exchangeId) {
    throw illegalState('EXCHANGE_NOT_HELD', `reservation ${reservationId} is not held for exchange ${exchangeId}`);
  }
  return [exchanged(reservation, exchangeId, hold.quantity, hold, newReservationId, newCommitmentUsd, hold.heldAt)];
}

/** One step of an exchange on the order. */
export function decideReservationExchange(command: ReservationExchangeCommand, order: PlacedOrder): OrderEvent[] {
  switch (command.type) {
    case 'ExchangeReservations':
      return decideExchange(order, command.data);
    case 'HoldForExchange':
      return decideHold(order, command.data);
    case 'ReleaseExchangeHold':
      return decideRelease(order, command.data);
    case 'CompleteHeldExchange':
      return decideCompleteHeld(order, command.data);
  }
}
