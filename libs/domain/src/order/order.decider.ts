import { BillingPlan } from '../catalog/catalog-item';
import { CartLine } from '../cart/cart.decider';
import { ReservationProvisionedData } from '../reservation/reservation.events';
import { paymentsAtPurchase } from '../reservation/payment-schedule';
import { Decider, Message } from '../shared/decider';
import { illegalState, notFound } from '../shared/domain-error';
import { lineTotal } from '../shared/money';
import { Scope } from '../shared/scope';
import { evolveOrder, Order, OrderEvent, OrderLineState, OrderPlacedData, PlacedOrder } from './order';
import { decideReservationChange, ReservationChangeCommand } from './reservation-changes.decider';
import { decideReservationExchange, ReservationExchangeCommand } from './reservation-exchange.decider';
import { decideReservationStreamsMigration, MigrateReservationStreams } from './reservation-streams-migration';

/** The order's own life: placed, each line provisioned or failed, then completed, partly fulfilled, failed or cancelled. */
export type OrderLifecycleCommand =
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
  | Message<'CancelOrder', { reason: string; now: string }>;

export type OrderCommand =
  OrderLifecycleCommand | ReservationChangeCommand | ReservationExchangeCommand | MigrateReservationStreams;

const placed = (state: Order): PlacedOrder => {
  if (state.status === 'none') throw notFound('ORDER_NOT_FOUND', 'order not found');
  return state;
};

const pending = (state: Order): PlacedOrder => {
  const order = placed(state);
  if (order.status !== 'pending')
    throw illegalState('ORDER_NOT_PENDING', `order ${order.orderNumber} is already ${order.status}`);
  return order;
};

const lineOf = (order: PlacedOrder, lineNumber: number): OrderLineState => {
  const line = order.lines.find((l) => l.lineNumber === lineNumber);
  if (!line) throw notFound('ORDER_LINE_NOT_FOUND', `order ${order.orderNumber} has no line ${lineNumber}`);
  return line;
};

const started = (order: PlacedOrder) => order.lines.some((line) => line.provisioning.status !== 'pending');

function decideFinish(order: PlacedOrder, now: string): OrderEvent[] {
  const outstanding = order.lines.filter(
    (line) => line.provisioning.status === 'pending' || line.provisioning.status === 'provisioning',
  );
  if (outstanding.length > 0) {
    throw illegalState(
      'ORDER_LINES_OUTSTANDING',
      `order ${order.orderNumber} still has lines ${outstanding.map((l) => l.lineNumber).join(', ')} to provision`,
    );
  }
  const reservationIds = order.lines.flatMap((line) =>
    line.provisioning.status === 'provisioned' ? [line.provisioning.reservationId!] : [],
  );
  const failed = order.lines.filter((line) => line.provisioning.status === 'failed');
  const { orderId } = order;
  if (failed.length === 0) return [{ type: 'OrderCompleted', data: { orderId, reservationIds, completedAt: now } }];
  if (reservationIds.length > 0) {
    return [
      {
        type: 'OrderPartiallyFulfilled',
        data: { orderId, reservationIds, failedLineNumbers: failed.map((l) => l.lineNumber), fulfilledAt: now },
      },
    ];
  }
  const reason = failed.map((line) => `line ${line.lineNumber}: ${line.provisioning.reason}`).join('; ');
  return [{ type: 'OrderFailed', data: { orderId, reason, failedAt: now } }];
}

export const orderDecider: Decider<Order, OrderCommand, OrderEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'PlaceOrder': {
        if (state.status !== 'none') return [];
        const { now, lines, ...rest } = command.data;
        const orderLines = lines.map((line, i) => ({
          ...line,
          lineNumber: i + 1,
          totalUsd: lineTotal(line.quantity, line.unitPriceUsd),
        }));
        return [{ type: 'OrderPlaced', data: { ...rest, lines: orderLines, currency: 'USD', placedAt: now } }];
      }
      case 'StartLineProvisioning': {
        const { lineNumber, reservationId, now } = command.data;
        const line = lineOf(placed(state), lineNumber);
        if (line.provisioning.status !== 'pending') return []; // started before: a retry goes on where it was
        const order = pending(state);
        return [
          {
            type: 'OrderLineProvisioningStarted',
            data: { orderId: order.orderId, lineNumber, reservationId, startedAt: now },
          },
        ];
      }
      case 'RecordLineProvisioned': {
        const { reservation } = command.data;
        const line = lineOf(placed(state), reservation.lineNumber);
        if (line.provisioning.status === 'provisioned') return [];
        if (
          line.provisioning.status !== 'provisioning' ||
          line.provisioning.reservationId !== reservation.reservationId
        ) {
          throw illegalState(
            'ORDER_LINE_NOT_PROVISIONING',
            `line ${line.lineNumber} of order ${placed(state).orderNumber} is ${line.provisioning.status}`,
          );
        }
        return [
          { type: 'ReservationProvisioned', data: reservation },
          ...paymentsAtPurchase(reservation, command.data.now),
        ];
      }
      case 'FailLine': {
        const { lineNumber, code, reason, now } = command.data;
        const line = lineOf(placed(state), lineNumber);
        if (line.provisioning.status === 'failed') return [];
        if (line.provisioning.status === 'provisioned')
          throw illegalState('ORDER_LINE_PROVISIONED', `line ${lineNumber} is already provisioned`);
        const order = pending(state);
        return [
          {
            type: 'OrderLineProvisioningFailed',
            data: { orderId: order.orderId, lineNumber, code, reason, failedAt: now },
          },
        ];
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
          throw illegalState(
            'ORDER_IN_FULFILMENT',
            `order ${order.orderNumber} has lines in provisioning; they are finished or failed one by one`,
          );
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
      case 'SplitReservation':
      case 'MergeReservations':
      case 'CancelReservation':
      case 'ReturnReservationQuantity':
        return decideReservationChange(command, placed(state));
      case 'ExchangeReservations':
      case 'HoldForExchange':
      case 'ReleaseExchangeHold':
      case 'CompleteHeldExchange':
        return decideReservationExchange(command, placed(state));
      case 'MigrateReservationStreams':
        return decideReservationStreamsMigration(placed(state), command.data);
    }
  },

  evolve: evolveOrder,
};
