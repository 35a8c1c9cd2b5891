import { BillingPlan } from '../catalog/catalog-item';
import { CartLine } from '../cart/cart.decider';
import { ActiveReservation, evolveReservation, foldReservation } from '../reservation/reservation';
import { RESERVATION_EVENT_TYPES, ReservationEvent } from '../reservation/reservation.events';
import { Message } from '../shared/decider';
import { notFound } from '../shared/domain-error';
import { Scope } from '../shared/scope';

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
  | Message<
      'OrderLineProvisioningStarted',
      { orderId: string; lineNumber: number; reservationId: string; startedAt: string }
    >
  | Message<
      'OrderLineProvisioningFailed',
      { orderId: string; lineNumber: number; code: string; reason: string; failedAt: string }
    >
  | Message<'OrderCompleted', { orderId: string; reservationIds: string[]; completedAt: string }>
  /** Some lines failed for good; the lines provisioned are kept, billed and listed. */
  | Message<
      'OrderPartiallyFulfilled',
      { orderId: string; reservationIds: string[]; failedLineNumbers: number[]; fulfilledAt: string }
    >
  | Message<'OrderFailed', { orderId: string; reason: string; failedAt: string }>
  | Message<'OrderCancelled', { orderId: string; reason: string; cancelledAt: string }>;

/** A reservation's stream of its own, as the migration copies it onto its order: its events in order. */
export interface MigratedReservationStream {
  reservationId: string;
  events: ReservationEvent[];
}

/**
 * Orders fulfilled before the order held its reservations kept them in
 * streams of their own (`reservation-{id}`). A one-off migration copies those
 * streams onto the order, once, so that the order is whole from its own
 * stream. The copies are not reservation events: views that fold those
 * already saw them in the old streams.
 */
export type OrderMigrationEvent = Message<
  'ReservationStreamsMigrated',
  { orderId: string; streams: MigratedReservationStream[]; migratedAt: string }
>;

/** Everything the reservation order stream holds: its own lifecycle and its reservations'. */
export type OrderEvent = OrderLifecycleEvent | ReservationEvent | OrderMigrationEvent;

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
   * orders fulfilled before the order held its reservations, which lived in
   * streams of their own. The migration of those streams folds them on top.
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
  'ReservationStreamsMigrated',
  ...RESERVATION_EVENT_TYPES,
] as const satisfies readonly OrderEvent['type'][];

/** A reservation of this order, whatever its state. */
export const reservationOf = (order: Order, reservationId: string): ActiveReservation => {
  const reservation = order.status === 'none' ? undefined : order.reservations[reservationId];
  if (!reservation) throw notFound('RESERVATION_NOT_FOUND', `reservation ${reservationId} not found`);
  return reservation;
};

/** The order's events, folded; each reservation event into the reservation it names. */
export function evolveOrder(state: Order, event: OrderEvent): Order {
  if (event.type === 'OrderPlaced') {
    const lines = event.data.lines.map((line) => ({ ...line, provisioning: { status: 'pending' as const } }));
    return {
      ...event.data,
      lines,
      status: 'pending',
      timeline: [{ status: 'pending', at: event.data.placedAt }],
      reservationIds: [],
      reservations: {},
    };
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
      return withLine(event.data.lineNumber, () => ({
        status: 'provisioning',
        reservationId: event.data.reservationId,
        startedAt: event.data.startedAt,
      }));
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
      return {
        ...ended('partiallyFulfilled', event.data.fulfilledAt, reason),
        reservationIds: event.data.reservationIds,
      };
    }
    case 'OrderFailed':
      return ended('failed', event.data.failedAt, event.data.reason);
    case 'OrderCancelled':
      return ended('cancelled', event.data.cancelledAt, event.data.reason);
    case 'ReservationStreamsMigrated':
      return withMigratedStreams(state, event.data.streams);
    default:
      return foldIntoReservation(state, event);
  }
}

/** Reservation events fold into the reservation they name, with the reservation's own evolve. */
function foldIntoReservation(order: PlacedOrder, event: ReservationEvent): PlacedOrder {
  const { reservationId } = event.data;
  const held = order.reservations[reservationId] as ActiveReservation | undefined;
  if (!held && event.type !== 'ReservationProvisioned') {
    return {
      ...order,
      awaiting: { ...order.awaiting, [reservationId]: [...(order.awaiting?.[reservationId] ?? []), event] },
    };
  }
  const after = evolveReservation(held ?? { status: 'none' }, event);
  if (after.status === 'none') return order;
  const reservations = { ...order.reservations, [reservationId]: after };
  if (event.type !== 'ReservationProvisioned' || event.data.origin || event.data.orderId !== order.orderId)
    return { ...order, reservations };
  const lines = order.lines.map((line) =>
    line.lineNumber === event.data.lineNumber
      ? {
          ...line,
          provisioning: {
            ...line.provisioning,
            status: 'provisioned' as const,
            reservationId,
            provisionedAt: event.data.effectiveDate,
          },
        }
      : line,
  );
  return { ...order, reservations, lines };
}

/**
 * Each migrated stream's reservation, unless the order holds it already,
 * with the changes the order stream kept aside for it folded on top: they
 * were written after its stream of its own stopped.
 */
function withMigratedStreams(order: PlacedOrder, streams: MigratedReservationStream[]): PlacedOrder {
  const reservations = { ...order.reservations };
  for (const { reservationId, events } of streams) {
    if (reservations[reservationId]) continue;
    const own = foldReservation(events);
    if (own.status === 'none') continue;
    reservations[reservationId] = (order.awaiting?.[reservationId] ?? []).reduce(
      evolveReservation,
      own,
    ) as ActiveReservation;
  }
  const awaiting = Object.fromEntries(
    Object.entries(order.awaiting ?? {}).filter(([reservationId]) => !reservations[reservationId]),
  );
  return { ...order, reservations, awaiting };
}

/**
 * Orders completed before lines recorded their provisioning name their
 * reservations only in OrderCompleted, one per line in line order.
 */
function provisionedFromLegacy(lines: OrderLineState[], reservationIds: string[]): OrderLineState[] {
  return lines.map((line, i) =>
    line.provisioning.status === 'pending' && reservationIds[i]
      ? { ...line, provisioning: { status: 'provisioned', reservationId: reservationIds[i] } }
      : line,
  );
}
