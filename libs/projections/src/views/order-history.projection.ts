import { Order, OrderEvent, orderDecider } from '@app/domain';
import { foldingProjection } from './folding-projection';

/** Order history: every order with its status timeline, indexed per customer and per partner by placement time. */
export const orderHistoryProjection = foldingProjection<Order, OrderEvent>({
  name: 'order-history',
  eventTypes: ['OrderPlaced', 'OrderCompleted', 'OrderFailed', 'OrderCancelled'],
  documentKey: (event) => `order:${event.data.orderId}`,
  evolve: orderDecider.evolve,
  initialState: orderDecider.initialState,
  indexes: (_state, event) => {
    if (event.type !== 'OrderPlaced') return [];
    const { orderId, customerId, partnerId, placedAt } = event.data;
    const score = Date.parse(placedAt);
    return [
      { key: `customer:${customerId}`, score, member: orderId },
      { key: `partner:${partnerId}`, score, member: orderId },
    ];
  },
});
