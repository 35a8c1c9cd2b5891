import { BillingPlan } from '../catalog/catalog-item';
import { CartLine } from '../cart/cart.decider';
import { Scope } from '../cart/scope';
import { Decider, Message } from '../shared/decider';
import { illegalState, notFound } from '../shared/domain-error';
import { lineTotal } from '../shared/money';

export type OrderStatus = 'pending' | 'completed' | 'failed' | 'cancelled';

export interface OrderLine extends CartLine {
  lineNumber: number;
  totalUsd: number;
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

export type OrderEvent =
  | Message<'OrderPlaced', OrderPlacedData>
  | Message<'OrderCompleted', { orderId: string; reservationIds: string[]; completedAt: string }>
  | Message<'OrderFailed', { orderId: string; reason: string; failedAt: string }>
  | Message<'OrderCancelled', { orderId: string; reason: string; cancelledAt: string }>;

export type OrderCommand =
  | Message<
      'PlaceOrder',
      {
        orderId: string;
        orderNumber: string;
        cartId: string;
        customerId: string;
        partnerId: string;
        lines: CartLine[];
        scope: Scope;
        billingPlan: BillingPlan;
        totalUsd: number;
        now: string;
      }
    >
  | Message<'CompleteOrder', { reservationIds: string[]; now: string }>
  | Message<'FailOrder', { reason: string; now: string }>
  | Message<'CancelOrder', { reason: string; now: string }>;

export interface StatusChange {
  status: OrderStatus;
  at: string;
  reason?: string;
}

export type Order = { status: 'none' } | (OrderPlacedData & { status: OrderStatus; timeline: StatusChange[]; reservationIds: string[] });

export const orderStream = (orderId: string) => `order-${orderId}`;

const placed = (state: Order) => {
  if (state.status === 'none') throw notFound('ORDER_NOT_FOUND', 'order not found');
  return state;
};

/** pending → completed | failed | cancelled; repeating the transition already made is a no-op. */
const finish = (state: Order, target: Exclude<OrderStatus, 'pending'>): boolean => {
  const order = placed(state);
  if (order.status === target) return false;
  if (order.status !== 'pending') throw illegalState('ORDER_NOT_PENDING', `order ${order.orderNumber} is already ${order.status}`);
  return true;
};

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
      case 'CompleteOrder': {
        if (!finish(state, 'completed')) return [];
        const { reservationIds, now } = command.data;
        return [{ type: 'OrderCompleted', data: { orderId: placed(state).orderId, reservationIds, completedAt: now } }];
      }
      case 'FailOrder': {
        if (!finish(state, 'failed')) return [];
        const { reason, now } = command.data;
        return [{ type: 'OrderFailed', data: { orderId: placed(state).orderId, reason, failedAt: now } }];
      }
      case 'CancelOrder': {
        if (!finish(state, 'cancelled')) return [];
        const { reason, now } = command.data;
        return [{ type: 'OrderCancelled', data: { orderId: placed(state).orderId, reason, cancelledAt: now } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'OrderPlaced':
        return { ...event.data, status: 'pending', timeline: [{ status: 'pending', at: event.data.placedAt }], reservationIds: [] };
      case 'OrderCompleted': {
        const order = placed(state);
        const { reservationIds, completedAt } = event.data;
        return { ...order, status: 'completed', reservationIds, timeline: [...order.timeline, { status: 'completed', at: completedAt }] };
      }
      case 'OrderFailed': {
        const order = placed(state);
        const { reason, failedAt } = event.data;
        return { ...order, status: 'failed', timeline: [...order.timeline, { status: 'failed', at: failedAt, reason }] };
      }
      case 'OrderCancelled': {
        const order = placed(state);
        const { reason, cancelledAt } = event.data;
        return { ...order, status: 'cancelled', timeline: [...order.timeline, { status: 'cancelled', at: cancelledAt, reason }] };
      }
    }
  },
};
