import { deciderSpecification } from '../../testing/decider-specification';
import { CustomerEvent, customerDecider } from './customer.decider';

const spec = deciderSpecification(customerDecider);
const now = '2026-11-25T10:00:00.000Z';
const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: { customerId: 'c-1', partnerId: 'p-1', name: 'Contoso', registeredAt: now },
};
const subscriptionAdded: CustomerEvent = {
  type: 'SubscriptionAdded',
  data: { customerId: 'c-1', subscriptionId: 's-1', name: 'Production', addedAt: now },
};
const suspended: CustomerEvent = { type: 'SubscriptionSuspended', data: { customerId: 'c-1', subscriptionId: 's-1', suspendedAt: now } };

describe('customer decider', () => {
  describe('RegisterCustomer', () => {
    it('registers a new customer under its partner', () =>
      spec
        .given([])
        .when({ type: 'RegisterCustomer', data: { customerId: 'c-1', partnerId: 'p-1', name: 'Contoso', now } })
        .then([registered]));

    it('treats the same registration again as a no-op', () =>
      spec
        .given([registered])
        .when({ type: 'RegisterCustomer', data: { customerId: 'c-1', partnerId: 'p-1', name: 'Contoso', now } })
        .thenNothingHappens());

    it('refuses a different registration under an existing id', () =>
      spec
        .given([registered])
        .when({ type: 'RegisterCustomer', data: { customerId: 'c-1', partnerId: 'p-2', name: 'Fabrikam', now } })
        .thenRefuses('CUSTOMER_ALREADY_EXISTS'));
  });

  describe('AddSubscription', () => {
    it('adds an active subscription', () =>
      spec
        .given([registered])
        .when({ type: 'AddSubscription', data: { subscriptionId: 's-1', name: 'Production', now } })
        .then([subscriptionAdded]));

    it('needs a registered customer', () =>
      spec
        .given([])
        .when({ type: 'AddSubscription', data: { subscriptionId: 's-1', name: 'Production', now } })
        .thenRefuses('CUSTOMER_NOT_FOUND'));

    it('is a no-op when repeated, and refuses a clashing id', () => {
      spec
        .given([registered, subscriptionAdded])
        .when({ type: 'AddSubscription', data: { subscriptionId: 's-1', name: 'Production', now } })
        .thenNothingHappens();
      spec
        .given([registered, subscriptionAdded])
        .when({ type: 'AddSubscription', data: { subscriptionId: 's-1', name: 'Other', now } })
        .thenRefuses('SUBSCRIPTION_ALREADY_EXISTS');
    });
  });

  describe('SuspendSubscription and ReactivateSubscription', () => {
    it('suspends an active subscription', () =>
      spec
        .given([registered, subscriptionAdded])
        .when({ type: 'SuspendSubscription', data: { subscriptionId: 's-1', now } })
        .then([suspended]));

    it('reactivates a suspended one', () =>
      spec
        .given([registered, subscriptionAdded, suspended])
        .when({ type: 'ReactivateSubscription', data: { subscriptionId: 's-1', now } })
        .then([{ type: 'SubscriptionReactivated', data: { customerId: 'c-1', subscriptionId: 's-1', reactivatedAt: now } }]));

    it('does nothing when the status is already the one asked for', () => {
      spec
        .given([registered, subscriptionAdded, suspended])
        .when({ type: 'SuspendSubscription', data: { subscriptionId: 's-1', now } })
        .thenNothingHappens();
      spec
        .given([registered, subscriptionAdded])
        .when({ type: 'ReactivateSubscription', data: { subscriptionId: 's-1', now } })
        .thenNothingHappens();
    });

    it('refuses an unknown subscription', () =>
      spec
        .given([registered])
        .when({ type: 'SuspendSubscription', data: { subscriptionId: 's-9', now } })
        .thenRefuses('SUBSCRIPTION_NOT_FOUND'));
  });

  describe('personal data', () => {
    it('records that the contact changed, without the contact itself', () =>
      spec
        .given([registered])
        .when({ type: 'RecordContact', data: { now } })
        .then([{ type: 'CustomerContactRecorded', data: { customerId: 'c-1', recordedAt: now } }]));

    it('records every erasure request, even a repeated one', () =>
      spec
        .given([registered, { type: 'CustomerPersonalDataErased', data: { customerId: 'c-1', erasedAt: now } }])
        .when({ type: 'ErasePersonalData', data: { now } })
        .then([{ type: 'CustomerPersonalDataErased', data: { customerId: 'c-1', erasedAt: now } }]));

    it('refuses both for an unknown customer', () => spec.given([]).when({ type: 'ErasePersonalData', data: { now } }).thenRefuses('CUSTOMER_NOT_FOUND'));
  });
});
