import { Order } from '@app/domain';
import { IndexCursor, ViewReader } from '../../view-reader';
import { FoldedDocument } from '../folding-projection';

export const ORDER_HISTORY = 'order-history';

/** Where the order-history view keeps an order, and its indexes by placement time. */
export const orderKeys = {
  order: (orderId: string) => `order:${orderId}`,
  ofCustomer: (customerId: string) => `customer:${customerId}`,
  ofPartner: (partnerId: string) => `partner:${partnerId}`,
};

export const readOrder = (views: ViewReader, orderId: string) =>
  views.document<FoldedDocument<Order>>(ORDER_HISTORY, orderKeys.order(orderId));

/** The orders an index lists (orderKeys.ofCustomer or ofPartner), newest first. */
export const ordersIn = (
  views: ViewReader,
  index: string,
  options: { minScore?: number; maxScore?: number; after?: IndexCursor; limit: number },
) => views.listed<FoldedDocument<Order>>(ORDER_HISTORY, index, orderKeys.order, options);
