import { CustomerSnapshot, SubscriptionStatus } from '../src/customer/customer.decider';

/** A registered customer of partner p-1 for the specs, with the subscriptions given (id → status). */
export const customerSnapshot = (
  subscriptions: Record<string, SubscriptionStatus>,
  overrides: Partial<CustomerSnapshot> = {},
): CustomerSnapshot => ({
  status: 'registered',
  customerId: 'c-1',
  partnerId: 'p-1',
  name: 'Contoso',
  subscriptions: Object.fromEntries(
    Object.entries(subscriptions).map(([subscriptionId, status]) => [
      subscriptionId,
      { subscriptionId, name: subscriptionId, status },
    ]),
  ),
  ...overrides,
});
