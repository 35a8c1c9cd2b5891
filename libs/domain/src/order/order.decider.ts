import { BillingPlan } from '../catalog/catalog-item';
import { CartLine } from '../cart/cart.decider';
import { Scope } from '../cart/scope';
import { Decider, Message } from '../shared/decider';
import { illegalState, notFound, ruleViolated } from '../shared/domain-error';
import { lineTotal } from '../shared/money';
import { ActiveReservation, active, Reservation, ReservationCommand, reservationDecider } from '../reservation/reservation.decider';
import { RESERVATION_EVENT_TYPES, ReservationEvent, ReservationProvisionedData, SplitPart } from '../reservation/reservation.events';
import { ExchangeTarget, exchangedReservation, ExchangeValueTooLow, mergedReservation, splitReservations } from '../reservation/reservation-changes';
import { paymentsAtPurchase, paymentSchedule } from '../reservation/payment-schedule';
import { cents, usd } from '../shared/money';

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
   * An exchange: `quantity` of the reservation returned, worth `returnedValueUsd`
   * (its prorated remaining value), for a new reservation bought in the same append.
   */
  | Message<
      'ExchangeReservation',
      { reservationId: string; exchangeId: string; quantity: number; returnedValueUsd: number; target: ExchangeTarget; now: string }
    >
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
  const { paid, reservation } = withDuePaymentsRecorded(active(current), now);
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
  const settled = reservationIds.map((id) => withDuePaymentsRecorded(active(order.reservations[id]), now));
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
  const { paid, reservation: settled } = asQuoted(active(reservation), command.now);
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
  const { paid, reservation: settled } = asQuoted(active(reservation), now);
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
 * An exchange in one append: the quantity leaves the old reservation (all of
 * it ends it), and the new reservation is bought. Either both happen or
 * neither. Its value check is Azure's: the new lifetime commitment must be at
 * least the remaining commitment returned. A repeat (the new reservation is
 * already there) writes nothing.
 */
function decideExchange(order: PlacedOrder, command: Extract<OrderCommand, { type: 'ExchangeReservation' }>['data']): OrderEvent[] {
  const { reservationId, exchangeId, quantity, returnedValueUsd, target, now } = command;
  if (order.reservations[target.reservationId]) return []; // a retry
  const { paid, reservation: source } = asQuoted(active(reservationOf(order, reservationId)), now);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > source.quantity) throw returnQuantityInvalid(quantity, source.quantity);
  const bought = exchangedReservation(source, target, now);
  const newCommitmentUsd = usd(cents(target.item.unitPriceUsd) * target.quantity);
  if (cents(newCommitmentUsd) < cents(returnedValueUsd)) throw new ExchangeValueTooLow(returnedValueUsd, newCommitmentUsd);
  const remainingQuantity = source.quantity - quantity;
  const ending =
    remainingQuantity === 0 && source.autoRenew
      ? [{ type: 'ReservationRenewalCancelled' as const, data: { reservationId, reason: 'exchange', cancelledAt: now } }]
      : [];
  return [
    ...paid,
    ...ending,
    {
      type: 'ReservationExchanged',
      data: {
        reservationId,
        customerId: source.customerId,
        exchangeId,
        quantity,
        remainingQuantity,
        returnedValueUsd,
        newReservationId: target.reservationId,
        newCommitmentUsd,
        exchangedAt: now,
      },
    },
    { type: 'ReservationProvisioned', data: bought },
    ...paymentsAtPurchase(bought, now),
  ];
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
  return reservationDecider.decide(change, reservationOf(order, reservationId));
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
      case 'ExchangeReservation':
        return decideExchange(placed(state), command.data);
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
