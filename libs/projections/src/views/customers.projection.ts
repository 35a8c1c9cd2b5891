import { Customer, CustomerEvent, customerDecider } from '@app/domain';
import { foldingProjection } from './folding-projection';

/** Customers of a partner, to find one and pick an active subscription. */
export const customersProjection = foldingProjection<Customer, CustomerEvent>({
  name: 'customers',
  eventTypes: ['CustomerRegistered', 'SubscriptionAdded', 'SubscriptionSuspended', 'SubscriptionReactivated'],
  documentKey: (event) => `customer:${event.data.customerId}`,
  evolve: customerDecider.evolve,
  initialState: customerDecider.initialState,
  indexes: (_state, event) =>
    event.type === 'CustomerRegistered'
      ? [{ key: `partner:${event.data.partnerId}`, score: Date.parse(event.data.registeredAt), member: event.data.customerId }]
      : [],
});
