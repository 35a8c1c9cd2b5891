import { randomUUID } from 'node:crypto';
import { ApiHarness } from './api-harness';

/** A one-instance line of a cheap size, bought under the given subscription. */
export const line = (subscriptionId: string) => ({
  catalogItemId: 'ri-standard_d2s_v5-eastus-p1y',
  quantity: 1,
  subscriptionId,
  term: 'P1Y',
  billingPlan: 'Upfront',
});

/** A customer with one active subscription and a cart holding one line. */
export async function cartWithOneLine(api: ApiHarness, key?: string) {
  const customer = await api.call('POST', '/v1/customers', { body: { name: 'Fixture Co' }, key });
  const customerId = customer.body.customerId;
  const subscriptionId = randomUUID();
  await api.call('POST', `/v1/customers/${customerId}/subscriptions`, { body: { subscriptionId, name: 'Main' }, key });
  const cart = await api.call('POST', `/v1/customers/${customerId}/carts`, { key });
  const added = await api.call('POST', `/v1/carts/${cart.body.cartId}/items`, { body: line(subscriptionId), key });
  return {
    customerId,
    subscriptionId,
    cartId: cart.body.cartId as string,
    lineId: added.body.lines[0].lineId as string,
  };
}
