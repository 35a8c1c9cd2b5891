import { CartLine } from '../cart/cart.decider';
import { deciderSpecification } from '../shared/decider-specification';
import { OrderCommand, OrderEvent, orderDecider } from './order.decider';

const spec = deciderSpecification(orderDecider);
const now = '2026-11-25T10:00:00.000Z';
const later = '2026-11-25T10:05:00.000Z';
const line: CartLine = {
  lineId: 'l-1',
  catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
  armSkuName: 'Standard_D4s_v5',
  region: 'westeurope',
  term: 'P1Y',
  billingPlan: 'Monthly',
  quantity: 3,
  subscriptionId: 's-1',
  unitPriceUsd: 1186.66,
};
const place: OrderCommand = {
  type: 'PlaceOrder',
  data: {
    orderId: 'o-1',
    orderNumber: 'RO-2026-000007',
    cartId: 'cart-1',
    customerId: 'c-1',
    partnerId: 'p-1',
    lines: [line],
    scope: { type: 'single', subscriptionId: 's-1' },
    billingPlan: 'Monthly',
    totalUsd: 3559.98,
    now,
  },
};
const orderPlaced: OrderEvent = {
  type: 'OrderPlaced',
  data: {
    orderId: 'o-1',
    orderNumber: 'RO-2026-000007',
    cartId: 'cart-1',
    customerId: 'c-1',
    partnerId: 'p-1',
    lines: [{ ...line, lineNumber: 1, totalUsd: 3559.98 }],
    scope: { type: 'single', subscriptionId: 's-1' },
    billingPlan: 'Monthly',
    currency: 'USD',
    totalUsd: 3559.98,
    placedAt: now,
  },
};
const completed: OrderEvent = { type: 'OrderCompleted', data: { orderId: 'o-1', reservationIds: ['r-1'], completedAt: later } };

describe('order decider', () => {
  it('places a pending order with numbered, priced lines', () => spec.given([]).when(place).then([orderPlaced]));

  it('places an order only once', () => spec.given([orderPlaced]).when(place).thenNothingHappens());

  it('completes a pending order', () =>
    spec.given([orderPlaced]).when({ type: 'CompleteOrder', data: { reservationIds: ['r-1'], now: later } }).then([completed]));

  it('fails a pending order with a reason', () =>
    spec
      .given([orderPlaced])
      .when({ type: 'FailOrder', data: { reason: 'subscription s-1 suspended', now: later } })
      .then([{ type: 'OrderFailed', data: { orderId: 'o-1', reason: 'subscription s-1 suspended', failedAt: later } }]));

  it('cancels a pending order', () =>
    spec
      .given([orderPlaced])
      .when({ type: 'CancelOrder', data: { reason: 'customer request', now: later } })
      .then([{ type: 'OrderCancelled', data: { orderId: 'o-1', reason: 'customer request', cancelledAt: later } }]));

  it('treats the same final transition again as a no-op', () =>
    spec.given([orderPlaced, completed]).when({ type: 'CompleteOrder', data: { reservationIds: ['r-1'], now: later } }).thenNothingHappens());

  it('refuses to leave a final status', () => {
    spec.given([orderPlaced, completed]).when({ type: 'CancelOrder', data: { reason: 'late', now: later } }).thenRefuses('ORDER_NOT_PENDING');
    spec.given([orderPlaced, completed]).when({ type: 'FailOrder', data: { reason: 'late', now: later } }).thenRefuses('ORDER_NOT_PENDING');
  });

  it('refuses transitions of an order that does not exist', () =>
    spec.given([]).when({ type: 'CancelOrder', data: { reason: 'x', now } }).thenRefuses('ORDER_NOT_FOUND'));

  it('keeps a status timeline', () => {
    const state = [orderPlaced, completed].reduce(orderDecider.evolve, orderDecider.initialState());
    expect(state).toMatchObject({ status: 'completed', timeline: [{ status: 'pending', at: now }, { status: 'completed', at: later }] });
  });
});
