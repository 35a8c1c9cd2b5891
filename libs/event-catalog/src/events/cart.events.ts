import { EventType } from '../event-type';
import { amount, count, extend, id, instant, listOf, record, text } from '../json-schema';
import { billingPlan, cartLine, scope } from '../shared.schemas';
import { at, cartId, customerId, line, lineId, orderId, subscriptionId } from './event-examples';

const CART = 'cart-{cartId}';

/** Carts, up to their purchase. */
export const CART_EVENTS: EventType[] = [
  {
    type: 'CartCreated',
    version: 1,
    stream: CART,
    cause: 'POST /v1/customers/{id}/carts',
    schema: record({ cartId: id, customerId: id, partnerId: id, createdAt: instant, expiresAt: instant }),
    example: { cartId, customerId, partnerId: 'partner-contoso', createdAt: at, expiresAt: '2026-06-08T09:30:00.000Z' },
  },
  {
    type: 'CartItemAdded',
    version: 1,
    stream: CART,
    cause: 'POST /v1/carts/{id}/items',
    schema: extend(cartLine, { cartId: id }),
    example: { cartId, ...line },
  },
  {
    type: 'CartItemQuantityChanged',
    version: 1,
    stream: CART,
    cause: 'PATCH /v1/carts/{id}/items/{lineId}',
    schema: record({ cartId: id, lineId: id, quantity: count(1) }),
    example: { cartId, lineId, quantity: 3 },
  },
  {
    type: 'CartItemRemoved',
    version: 1,
    stream: CART,
    cause: 'DELETE /v1/carts/{id}/items/{lineId}',
    schema: record({ cartId: id, lineId: id }),
    example: { cartId, lineId },
  },
  {
    type: 'CartScopeSet',
    version: 1,
    stream: CART,
    cause: 'PUT /v1/carts/{id}/scope',
    schema: record({ cartId: id, scope }),
    example: { cartId, scope: { type: 'single', subscriptionId } },
  },
  {
    type: 'CartPurchased',
    version: 1,
    stream: CART,
    cause: 'POST /v1/carts/{id}/purchase; written before OrderPlaced, with a full copy of what was bought',
    schema: record({
      cartId: id,
      orderId: id,
      orderNumber: text,
      purchasedAt: instant,
      lines: listOf(cartLine),
      scope,
      billingPlan,
      totalUsd: amount,
    }),
    example: {
      cartId,
      orderId,
      orderNumber: 'RO-2026-000001',
      purchasedAt: at,
      lines: [line],
      scope: { type: 'shared' },
      billingPlan: 'Monthly',
      totalUsd: 2125.44,
    },
  },
];
