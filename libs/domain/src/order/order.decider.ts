import { BillingPlan } from '../catalog/catalog-item';
import { CartLine } from '../cart/cart.decider';
import { Scope } from '../shared/scope';
import { Decider, Message } from '../shared/decider';
import { illegalState, notFound, ruleViolated } from '../shared/domain-error';
import { lineTotal } from '../shared/money';
import { ActiveReservation, Reservation } from '../reservation/reservation';
import { active, applying, ReservationCommand, reservationDecider } from '../reservation/reservation.decider';
import { RESERVATION_EVENT_TYPES, ReservationEvent, ReservationProvisionedData, SplitPart } from '../reservation/reservation.events';
import { exchangedReservation, mergedReservation, splitReservations } from '../reservation/reservation-changes';
import { checkExchangeable, checkExchangeSources, exchangeFigures, ExchangePurchase, valueReturned, ValueReturned } from '../reservation/exchange';
import { paymentsAtPurchase, paymentSchedule } from '../reservation/payment-schedule';

/**
 * The reservation order, as in Azure: what was bought, how each line's
 * provisioning went, and the reservations it holds. It is one stream, so
 * everything that must not race — fulfilment of a line, cancelling the
 * order, split, merge and the return of a reservation — is decided here
 * with one expected revision.
 */
export type OrderStatus = 'pending' | 'completed' | 'partiallyFulfilled' | 'failed' | 'cancelled';

export interface OrderLine extends CartLine {
  lineNumber: number;
  totalUsd: number;
  /** A renewal's line starts when the reservation it replaces ends, whenever it is provisioned. */
  effectiveFrom?: string;
}

/** Partner Center reports each line item's provisioning on its own. */
export type LineProvisioningStatus = 'pending' | 'provisioning' | 'provisioned' | 'failed';

export interface LineProvisioning {
  status: LineProvisioningStatus;
  reservationId?: string;
  startedAt?: string;
  provisionedAt?: string;
  failedAt?: string;
  reason?: string;
}

export interface OrderLineState extends OrderLine {
  provisioning: LineProvisioning;
}

export interface OrderPlacedData {
  orderId: string;
  orderNumber: string;
  cartId: string;
  customerId: string;
  partnerId: string;
  lines: OrderLine[];
  scope: Scope;
  billingPlan: BillingPlan;
  currency: 'USD';
  totalUsd: number;
  placedAt: string;
  /** A renewal order: the reservation it renews (absent on other orders and on renewals placed by older releases). */
  renewalOf?: { orderId: string; reservationId: string };
}

export type OrderLifecycleEvent =
  | Message<'OrderPlaced', OrderPlacedData>
  | Message<'OrderLineProvisioningStarted', { orderId: string; lineNumber: number; reservationId: string; startedAt: string }>
  | Message<'OrderLineProvisioningFailed', { orderId: string; lineNumber: number; code: string; reason: string; failedAt: string }>
  | Message<'OrderCompleted', { orderId: string; reservationIds: string[]; completedAt: string }>
  /** Some lines failed for good; the lines provisioned are kept, billed and listed. */
  | Message<'OrderPartiallyFulfilled', { orderId: string; reservationIds: string[]; failedLineNumbers: number[]; fulfilledAt: string }>
  | Message<'OrderFailed', { orderId: string; reason: string; failedAt: string }>
  | Message<'OrderCancelled', { orderId: string; reason: string; cancelledAt: string }>;

/** Everything the reservation order stream holds: its own lifecycle and its reservations'. */
export type OrderEvent = OrderLifecycleEvent | ReservationEvent;

export type OrderCommand =
  | Message<
      'PlaceOrder',
      {
        orderId: string;
        orderNumber: string;
        cartId: string;
        customerId: string;
        partnerId: string;
        lines: Array<CartLine & { effectiveFrom?: string }>;
        scope: Scope;
        billingPlan: BillingPlan;
        totalUsd: number;
        renewalOf?: OrderPlacedData['renewalOf'];
        now: string;
      }
    >
  | Message<'StartLineProvisioning', { lineNumber: number; reservationId: string; now: string }>
  | Message<'RecordLineProvisioned', { reservation: ReservationProvisionedData; now: string }>
  | Message<'FailLine', { lineNumber: number; code: string; reason: string; now: string }>
  /** Every line is provisioned or failed: the order ends as completed, partiallyFulfilled or failed. */
  | Message<'FinishFulfilment', { now: string }>
  /** The order cannot be provisioned at all (before any line started). */
  | Message<'FailOrder', { reason: string; now: string }>
  | Message<'CancelOrder', { reason: string; now: string }>
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
      { reservationId: string; exchangeId: string; quantity: number; currentUnitPriceUsd: number; purchase: Pick<ExchangePurchase, 'item'>; now: string }
    >
  | Message<'ReleaseExchangeHold', { reservationId: string; exchangeId: string; newReservationId: string; reason: string; now: string }>
  /** The exchange it was held for was made: the held quantity leaves it, for what the hold valued it. */
  | Message<'CompleteHeldExchange', { reservationId: string; exchangeId: string; newReservationId: string; newCommitmentUsd: number }>
  /** The return of part of a reservation's quantity; the rest stays active. */
  | Message<'ReturnReservationQuantity', { reservationId: string; cancellationId: string; quantity: number; refundUsd: number; now: string }>;

export interface StatusChange {
  status: OrderStatus;
  at: string;
  reason?: string;
}

export type PlacedOrder = Omit<OrderPlacedData, 'lines'> & {
  status: OrderStatus;
  timeline: StatusChange[];
  lines: OrderLineState[];
  /** The reservations the lines provisioned, in line order. */
  reservationIds: string[];
  /** Every reservation the order holds, including those split or merged from others. */
  reservations: Record<string, ActiveReservation>;
  /**
   * Changes to reservations the order stream does not provision: those of
   * orders fulfilled before the order held its reservations, which live in
   * streams of their own. Whoever reads those streams folds these on top.
   */
  awaiting?: Record<string, ReservationEvent[]>;
};

export type Order = { status: 'none' } | PlacedOrder;

export const orderStream = (orderId: string) => `order-${orderId}`;

/** Every event type the reservation order stream holds. */
export const ORDER_EVENT_TYPES = [
  'OrderPlaced',
  'OrderLineProvisioningStarted',
  'OrderLineProvisioningFailed',
  'OrderCompleted',
  'OrderPartiallyFulfilled',
  'OrderFailed',
  'OrderCancelled',
  ...RESERVATION_EVENT_TYPES,
] as const satisfies readonly OrderEvent['type'][];

const placed = (state: Order): PlacedOrder => {
  if (state.status === 'none') throw notFound('ORDER_NOT_FOUND', 'order not found');
  return state;
};

const pending = (state: Order): PlacedOrder => {
  const order = placed(state);
  if (order.status !== 'pending') throw illegalState('ORDER_NOT_PENDING', `order ${order.orderNumber} is already ${order.status}`);
  return order;
};

const lineOf = (order: PlacedOrder, lineNumber: number): OrderLineState => {
  const line = order.lines.find((l) => l.lineNumber === lineNumber);
  if (!line) throw notFound('ORDER_LINE_NOT_FOUND', `order ${order.orderNumber} has no line ${lineNumber}`);
  return line;
};

/** A reservation of this order, whatever its state. */
export const reservationOf = (order: Order, reservationId: string): ActiveReservation => {
  const reservation = order.status === 'none' ? undefined : order.reservations[reservationId];
  if (!reservation) throw notFound('RESERVATION_NOT_FOUND', `reservation ${reservationId} not found`);
  return reservation;
};

const started = (order: PlacedOrder) => order.lines.some((line) => line.provisioning.status !== 'pending');

function decideFinish(order: PlacedOrder, now: string): OrderEvent[] {
  const outstanding = order.lines.filter((line) => line.provisioning.status === 'pending' || line.provisioning.status === 'provisioning');
  if (outstanding.length > 0) {
    throw illegalState('ORDER_LINES_OUTSTANDING', `order ${order.orderNumber} still has lines ${outstanding.map((l) => l.lineNumber).join(', ')} to provision`);
  }
  const reservationIds = order.lines.flatMap((line) => (line.provisioning.status === 'provisioned' ? [line.provisioning.reservationId!] : []));
  const failed = order.lines.filter((line) => line.provisioning.status === 'failed');
  const { orderId } = order;
  if (failed.length === 0) return [{ type: 'OrderCompleted', data: { orderId, reservationIds, completedAt: now } }];
  if (reservationIds.length > 0) {
    return [{ type: 'OrderPartiallyFulfilled', data: { orderId, reservationIds, failedLineNumbers: failed.map((l) => l.lineNumber), fulfilledAt: now } }];
  }
  const reason = failed.map((line) => `line ${line.lineNumber}: ${line.provisioning.reason}`).join('; ');
  return [{ type: 'OrderFailed', data: { orderId, reason, failedAt: now } }];
}

/**
 * A reservation about to be split, merged, returned, exchanged or cancelled,
 * with the monthly payments fallen due by now recorded first: they were owed
 * for what it held when they fell due, and what is made from it, or refunded
 * for it, goes on from its last payment. None is skipped, none taken twice.
 */
function withDuePaymentsRecorded(reservation: ActiveReservation, now: string): { paid: ReservationEvent[]; reservation: ActiveReservation } {
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
function asQuoted(reservation: ActiveReservation, quotedAt: string): { paid: ReservationEvent[]; reservation: ActiveReservation } {
  const settled = withDuePaymentsRecorded(reservation, quotedAt);
  const recorded = settled.reservation.paymentsRecorded ?? 0;
  const since = paymentSchedule(settled.reservation).find((payment) => payment.paymentNumber <= recorded && payment.dueAt > quotedAt);
  if (since) {
    throw illegalState(
      'RESERVATION_CHANGED',
      `payment ${since.paymentNumber} of reservation ${reservation.reservationId} (due ${since.dueAt}) was taken after its refund was quoted; quote again`,
    );
  }
  return settled;
}

function decideSplit(order: PlacedOrder, reservationId: string, into: SplitPart[], now: string): OrderEvent[] {
  const current = reservationOf(order, reservationId);
  if (current.status === 'Split' && JSON.stringify(current.splitInto) === JSON.stringify(into)) return []; // a retry
  const { paid, reservation } = withDuePaymentsRecorded(applying(notHeld(current), now), now);
  const ending = reservationDecider.decide({ type: 'Split', data: { into, now } }, reservation);
  const parts = splitReservations(reservation, into, now);
  return [...paid, ...ending, ...parts.map((data) => ({ type: 'ReservationProvisioned' as const, data }))];
}

function decideMerge(order: PlacedOrder, reservationIds: string[], targetReservationId: string, now: string): OrderEvent[] {
  const foreign = reservationIds.filter((id) => !order.reservations[id]);
  if (foreign.length > 0) {
    throw ruleViolated(
      'MERGE_ACROSS_ORDERS',
      `reservations ${foreign.join(', ')} are not in reservation order ${order.orderNumber}; only reservations of one reservation order can be merged`,
    );
  }
  const existing = order.reservations[targetReservationId];
  if (existing) return []; // a retry: the merge already happened
  const settled = reservationIds.map((id) => withDuePaymentsRecorded(applying(notHeld(order.reservations[id]), now), now));
  const sources = settled.map(({ reservation }) => reservation);
  const target = mergedReservation(sources, targetReservationId, now);
  const endings = sources.flatMap((source) =>
    reservationDecider.decide({ type: 'MergeInto', data: { targetReservationId, mergedWith: reservationIds, now } }, source),
  );
  return [...settled.flatMap(({ paid }) => paid), ...endings, { type: 'ReservationProvisioned', data: target }];
}

function decideCancelReservation(order: PlacedOrder, command: Extract<OrderCommand, { type: 'CancelReservation' }>['data']): OrderEvent[] {
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
      data: { reservationId, customerId, cancellationId: command.cancellationId, refundUsd: command.refundUsd, cancelledAt: command.now },
    },
  ];
}

/**
 * Part of a reservation's quantity goes back; at least one unit stays (a
 * return of all of it is a cancellation). A return already made under the
 * same cancellation id is a retry and writes nothing.
 */
function decideReturnQuantity(order: PlacedOrder, command: Extract<OrderCommand, { type: 'ReturnReservationQuantity' }>['data']): OrderEvent[] {
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
      data: { reservationId, customerId, cancellationId, quantity, remainingQuantity: held - quantity, refundUsd, returnedAt: now },
    },
  ];
}

/**
 * An exchange decided on this order in one append: each reservation of it
 * given back loses the quantity (all of it ends it), and the purchase is
 * bought here, so either all of it happens or none. Reservations of other
 * orders given back were held for it first (their value comes with the
 * command). Its value check is Azure's: the new lifetime commitment must be
 * at least the remaining commitment returned. A repeat (the purchase is
 * already here) writes nothing.
 */
function decideExchange(order: PlacedOrder, command: Extract<OrderCommand, { type: 'ExchangeReservations' }>['data']): OrderEvent[] {
  const { exchangeId, returns, heldElsewhere, purchase, now } = command;
  if (order.reservations[purchase.reservationId]) return []; // a retry
  const settled = returns.map(({ reservationId, quantity, currentUnitPriceUsd }) => {
    const { paid, reservation } = asQuoted(applying(notHeld(reservationOf(order, reservationId)), now), now);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > reservation.quantity) throw returnQuantityInvalid(quantity, reservation.quantity);
    checkExchangeable(reservation, purchase);
    return { paid, reservation, quantity, value: valueReturned(reservation, quantity, currentUnitPriceUsd, now) };
  });
  checkExchangeSources(settled);
  const figures = exchangeFigures([...settled.map(({ value }) => value), ...heldElsewhere], purchase);
  const returnedIds = [...settled.map(({ reservation }) => reservation.reservationId), ...heldElsewhere.map(({ reservationId }) => reservationId)];
  const bought = exchangedReservation(settled[0].reservation, purchase, now, returnedIds);
  const given = settled.flatMap(({ paid, reservation, quantity, value }): OrderEvent[] => [
    ...paid,
    ...(quantity === reservation.quantity && reservation.autoRenew
      ? [{ type: 'ReservationRenewalCancelled' as const, data: { reservationId: reservation.reservationId, reason: 'exchange', cancelledAt: now } }]
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

/** Held for an exchange decided on another order, it refuses every other change until the exchange completes or releases it. */
function notHeld(reservation: ActiveReservation, exchangeId?: string): ActiveReservation {
  const hold = reservation.exchangeHold;
  if (hold && hold.exchangeId !== exchangeId) {
    throw illegalState(
      'EXCHANGE_IN_PROGRESS',
      `reservation ${reservation.reservationId} is being exchanged (exchange ${hold.exchangeId}); read it again shortly`,
    );
  }
  return reservation;
}

function decideHold(order: PlacedOrder, command: Extract<OrderCommand, { type: 'HoldForExchange' }>['data']): OrderEvent[] {
  const { reservationId, exchangeId, quantity, currentUnitPriceUsd, purchase, now } = command;
  const current = reservationOf(order, reservationId);
  if (current.exchangeHold?.exchangeId === exchangeId) return []; // a retry
  if (current.releasedExchanges?.includes(exchangeId)) {
    throw illegalState('EXCHANGE_RELEASED', `exchange ${exchangeId} was given up; reservation ${reservationId} is no longer held for it`);
  }
  const { paid, reservation } = asQuoted(applying(notHeld(current), now), now);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > reservation.quantity) throw returnQuantityInvalid(quantity, reservation.quantity);
  checkExchangeable(reservation, purchase);
  const value = valueReturned(reservation, quantity, currentUnitPriceUsd, now);
  const held: OrderEvent = {
    type: 'ReservationExchangeHeld',
    data: { reservationId, customerId: reservation.customerId, exchangeId, quantity, ...value, heldAt: now },
  };
  return [...paid, held];
}

function decideRelease(order: PlacedOrder, command: Extract<OrderCommand, { type: 'ReleaseExchangeHold' }>['data']): OrderEvent[] {
  const { reservationId, exchangeId, newReservationId, reason, now } = command;
  const reservation = reservationOf(order, reservationId);
  // Released already, or the exchange was made: nothing to give back.
  if (reservation.releasedExchanges?.includes(exchangeId) || reservation.exchanges?.[newReservationId] !== undefined) return [];
  // Released even where it was never held, so that a hold for it arriving late is refused.
  return [{ type: 'ReservationExchangeReleased', data: { reservationId, exchangeId, reason, releasedAt: now } }];
}

function decideCompleteHeld(order: PlacedOrder, command: Extract<OrderCommand, { type: 'CompleteHeldExchange' }>['data']): OrderEvent[] {
  const { reservationId, exchangeId, newReservationId, newCommitmentUsd } = command;
  const reservation = reservationOf(order, reservationId);
  if (reservation.exchanges?.[newReservationId] !== undefined) return []; // a retry
  const hold = reservation.exchangeHold;
  if (!hold || hold.exchangeId !== exchangeId) {
    throw illegalState('EXCHANGE_NOT_HELD', `reservation ${reservationId} is not held for exchange ${exchangeId}`);
  }
  return [exchanged(reservation, exchangeId, hold.quantity, hold, newReservationId, newCommitmentUsd, hold.heldAt)];
}

/** A quantity to return must be a whole number from 1 up to what the reservation holds (all of it is a cancellation). */
export const returnQuantityInvalid = (quantity: number, held: number) =>
  ruleViolated('RETURN_QUANTITY_INVALID', `a return takes a whole quantity from 1 to the reservation's quantity, ${held}; ${quantity} was asked`);

function decideReservationChange(order: PlacedOrder, reservationId: string, change: ReservationCommand): OrderEvent[] {
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
  if (change.type === 'ChangeScope' || change.type === 'SetAutoRenew' || change.type === 'ChangeRenewalSettings') notHeld(reservation);
  return reservationDecider.decide(change, reservation);
}

export const orderDecider: Decider<Order, OrderCommand, OrderEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'PlaceOrder': {
        if (state.status !== 'none') return [];
        const { now, lines, ...rest } = command.data;
        const orderLines = lines.map((line, i) => ({ ...line, lineNumber: i + 1, totalUsd: lineTotal(line.quantity, line.unitPriceUsd) }));
        return [{ type: 'OrderPlaced', data: { ...rest, lines: orderLines, currency: 'USD', placedAt: now } }];
      }
      case 'StartLineProvisioning': {
        const { lineNumber, reservationId, now } = command.data;
        const line = lineOf(placed(state), lineNumber);
        if (line.provisioning.status !== 'pending') return []; // started before: a retry goes on where it was
        const order = pending(state);
        return [{ type: 'OrderLineProvisioningStarted', data: { orderId: order.orderId, lineNumber, reservationId, startedAt: now } }];
      }
      case 'RecordLineProvisioned': {
        const { reservation } = command.data;
        const line = lineOf(placed(state), reservation.lineNumber);
        if (line.provisioning.status === 'provisioned') return [];
        if (line.provisioning.status !== 'provisioning' || line.provisioning.reservationId !== reservation.reservationId) {
          throw illegalState('ORDER_LINE_NOT_PROVISIONING', `line ${line.lineNumber} of order ${placed(state).orderNumber} is ${line.provisioning.status}`);
        }
        return [{ type: 'ReservationProvisioned', data: reservation }, ...paymentsAtPurchase(reservation, command.data.now)];
      }
      case 'FailLine': {
        const { lineNumber, code, reason, now } = command.data;
        const line = lineOf(placed(state), lineNumber);
        if (line.provisioning.status === 'failed') return [];
        if (line.provisioning.status === 'provisioned') throw illegalState('ORDER_LINE_PROVISIONED', `line ${lineNumber} is already provisioned`);
        const order = pending(state);
        return [{ type: 'OrderLineProvisioningFailed', data: { orderId: order.orderId, lineNumber, code, reason, failedAt: now } }];
      }
      case 'FinishFulfilment': {
        const order = placed(state);
        if (order.status !== 'pending') return [];
        return decideFinish(order, command.data.now);
      }
      case 'FailOrder': {
        const order = placed(state);
        if (order.status === 'failed') return [];
        pending(state);
        if (started(order))
          throw illegalState('ORDER_IN_FULFILMENT', `order ${order.orderNumber} has lines in provisioning; they are finished or failed one by one`);
        const { reason, now } = command.data;
        return [{ type: 'OrderFailed', data: { orderId: order.orderId, reason, failedAt: now } }];
      }
      case 'CancelOrder': {
        const order = placed(state);
        if (order.status === 'cancelled') return [];
        pending(state);
        // Cancel and fulfilment serialize on this stream: once a line is handed to provisioning, the order can no longer be cancelled.
        if (started(order)) {
          throw illegalState(
            'ORDER_IN_FULFILMENT',
            `order ${order.orderNumber} is being provisioned and can no longer be cancelled; return its reservations once provisioned`,
          );
        }
        const { reason, now } = command.data;
        return [{ type: 'OrderCancelled', data: { orderId: order.orderId, reason, cancelledAt: now } }];
      }
      case 'ChangeReservation':
        return decideReservationChange(placed(state), command.data.reservationId, command.data.change);
      case 'SplitReservation':
        return decideSplit(placed(state), command.data.reservationId, command.data.into, command.data.now);
      case 'MergeReservations':
        return decideMerge(placed(state), command.data.reservationIds, command.data.targetReservationId, command.data.now);
      case 'CancelReservation':
        return decideCancelReservation(placed(state), command.data);
      case 'ReturnReservationQuantity':
        return decideReturnQuantity(placed(state), command.data);
      case 'ExchangeReservations':
        return decideExchange(placed(state), command.data);
      case 'HoldForExchange':
        return decideHold(placed(state), command.data);
      case 'ReleaseExchangeHold':
        return decideRelease(placed(state), command.data);
      case 'CompleteHeldExchange':
        return decideCompleteHeld(placed(state), command.data);
    }
  },

  evolve(state, event) {
    if (event.type === 'OrderPlaced') {
      const lines = event.data.lines.map((line) => ({ ...line, provisioning: { status: 'pending' as const } }));
      return { ...event.data, lines, status: 'pending', timeline: [{ status: 'pending', at: event.data.placedAt }], reservationIds: [], reservations: {} };
    }
    if (state.status === 'none') return state;
    const withLine = (lineNumber: number, change: (line: OrderLineState) => LineProvisioning): PlacedOrder => ({
      ...state,
      lines: state.lines.map((line) => (line.lineNumber === lineNumber ? { ...line, provisioning: change(line) } : line)),
    });
    const ended = (status: OrderStatus, at: string, reason?: string): PlacedOrder => ({
      ...state,
      status,
      timeline: [...state.timeline, { status, at, ...(reason ? { reason } : {}) }],
    });
    switch (event.type) {
      case 'OrderLineProvisioningStarted':
        return withLine(event.data.lineNumber, () => ({ status: 'provisioning', reservationId: event.data.reservationId, startedAt: event.data.startedAt }));
      case 'OrderLineProvisioningFailed':
        return withLine(event.data.lineNumber, (line) => ({
          ...line.provisioning,
          status: 'failed',
          failedAt: event.data.failedAt,
          reason: `${event.data.code} ${event.data.reason}`,
        }));
      case 'OrderCompleted':
        return {
          ...ended('completed', event.data.completedAt),
          lines: provisionedFromLegacy(state.lines, event.data.reservationIds),
          reservationIds: event.data.reservationIds,
        };
      case 'OrderPartiallyFulfilled': {
        const reason = `lines ${event.data.failedLineNumbers.join(', ')} could not be provisioned`;
        return { ...ended('partiallyFulfilled', event.data.fulfilledAt, reason), reservationIds: event.data.reservationIds };
      }
      case 'OrderFailed':
        return ended('failed', event.data.failedAt, event.data.reason);
      case 'OrderCancelled':
        return ended('cancelled', event.data.cancelledAt, event.data.reason);
      default:
        return evolveReservation(state, event);
    }
  },
};

/** Reservation events fold into the reservation they name, with the reservation's own evolve. */
function evolveReservation(order: PlacedOrder, event: ReservationEvent): PlacedOrder {
  const { reservationId } = event.data;
  const held = order.reservations[reservationId] as ActiveReservation | undefined;
  if (!held && event.type !== 'ReservationProvisioned') {
    return { ...order, awaiting: { ...order.awaiting, [reservationId]: [...(order.awaiting?.[reservationId] ?? []), event] } };
  }
  const after = reservationDecider.evolve(held ?? { status: 'none' }, event);
  if (after.status === 'none') return order;
  const reservations = { ...order.reservations, [reservationId]: after };
  if (event.type !== 'ReservationProvisioned' || event.data.origin || event.data.orderId !== order.orderId) return { ...order, reservations };
  const lines = order.lines.map((line) =>
    line.lineNumber === event.data.lineNumber
      ? { ...line, provisioning: { ...line.provisioning, status: 'provisioned' as const, reservationId, provisionedAt: event.data.effectiveDate } }
      : line,
  );
  return { ...order, reservations, lines };
}

/**
 * Orders completed before lines recorded their provisioning name their
 * reservations only in OrderCompleted, one per line in line order.
 */
function provisionedFromLegacy(lines: OrderLineState[], reservationIds: string[]): OrderLineState[] {
  return lines.map((line, i) =>
    line.provisioning.status === 'pending' && reservationIds[i] ? { ...line, provisioning: { status: 'provisioned', reservationId: reservationIds[i] } } : line,
  );
}
