import { Customer, CustomerEvent, customerDecider } from '@app/domain';
import { foldingProjection } from '../folding-projection';
import { CUSTOMERS, customerKeys } from './customers.view';

/** Customers of a partner, to find one and pick an active subscription. */
export const customersProjection = foldingProjection<Customer, CustomerEvent>({
  name: CUSTOMERS,
  eventTypes: [
    'CustomerRegistered',
    'SubscriptionAdded',
    'SubscriptionSuspended',
    'SubscriptionReactivated',
    'ManagementGroupCreated',
    'SubscriptionMovedToManagementGroup',
    'SubscriptionRemovedFromManagementGroup',
  ],
  documentKey: (event) => customerKeys.customer(event.data.customerId),
  evolve: customerDecider.evolve,
  initialState: customerDecider.initialState,
  indexes: (_state, event) =>
    event.type === 'CustomerRegistered'
      ? [
          {
            key: customerKeys.ofPartner(event.data.partnerId),
            score: Date.parse(event.data.registeredAt),
            member: event.data.customerId,
          },
        ]
      : [],
});
