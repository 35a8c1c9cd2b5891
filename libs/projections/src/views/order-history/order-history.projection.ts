import { Order, ORDER_EVENT_TYPES, OrderEvent, orderDecider, orderStream } from '@app/domain';
import { foldingProjection } from '../folding-projection';
import { ORDER_HISTORY, orderKeys } from './order-history.view';

const ORDER_STREAM_PREFIX = orderStream('');

/**
 * Order history: every reservation order with its status timeline, its
 * lines' provisioning and its reservations, indexed per customer and per
 * partner by placement time. It folds every event of the order stream, so
 * its revision is the stream's (the ETag for If-Match); reservation events
 * of the older per-reservation streams are not its concern.
 */
export const orderHistoryProjection = foldingProjection<Order, OrderEvent>({
  name: ORDER_HISTORY,
  eventTypes: ORDER_EVENT_TYPES,
  documentKey: (_event, stored) =>
    stored.streamId.startsWith(ORDER_STREAM_PREFIX)
      ? orderKeys.order(stored.streamId.slice(ORDER_STREAM_PREFIX.length))
      : undefined,
  evolve: orderDecider.evolve,
  initialState: orderDecider.initialState,
  indexes: (_state, event) => {
    if (event.type !== 'OrderPlaced') return [];
    const { orderId, customerId, partnerId, placedAt } = event.data;
    const score = Date.parse(placedAt);
    return [
      { key: orderKeys.ofCustomer(customerId), score, member: orderId },
      { key: orderKeys.ofPartner(partnerId), score, member: orderId },
    ];
  },
});
