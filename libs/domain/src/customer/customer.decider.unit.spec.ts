import { deciderSpecification } from '../../testing/decider-specification';
import { fold } from '../shared/decider';
import {
  CustomerEvent,
  customerDecider,
  CustomerSnapshot,
  managementGroupMembers,
  managementGroupOf,
} from './customer.decider';

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
const suspended: CustomerEvent = {
  type: 'SubscriptionSuspended',
  data: { customerId: 'c-1', subscriptionId: 's-1', suspendedAt: now },
};

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
        .then([
          { type: 'SubscriptionReactivated', data: { customerId: 'c-1', subscriptionId: 's-1', reactivatedAt: now } },
        ]));

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

    it('refuses a contact after an erasure', () =>
      spec
        .given([
          registered,
          { type: 'CustomerContactRecorded', data: { customerId: 'c-1', recordedAt: now } },
          { type: 'CustomerPersonalDataErased', data: { customerId: 'c-1', erasedAt: now } },
        ])
        .when({ type: 'RecordContact', data: { now } })
        .thenRefuses('PERSONAL_DATA_ERASED'));

    it('refuses both for an unknown customer', () =>
      spec.given([]).when({ type: 'ErasePersonalData', data: { now } }).thenRefuses('CUSTOMER_NOT_FOUND'));
  });

  describe('management groups', () => {
    const created: CustomerEvent = {
      type: 'ManagementGroupCreated',
      data: { customerId: 'c-1', managementGroupId: 'finance', name: 'Finance', createdAt: now },
    };
    const moved = (at: string, managementGroupId = 'finance', fromManagementGroupId?: string): CustomerEvent => ({
      type: 'SubscriptionMovedToManagementGroup',
      data: {
        customerId: 'c-1',
        subscriptionId: 's-1',
        managementGroupId,
        ...(fromManagementGroupId ? { fromManagementGroupId } : {}),
        movedAt: at,
      },
    });
    const later = '2026-11-25T12:00:00.000Z';

    it('creates a group once; the same name again is a no-op, another name under its id a conflict', () => {
      spec
        .given([registered])
        .when({ type: 'CreateManagementGroup', data: { managementGroupId: 'finance', name: 'Finance', now } })
        .then([created]);
      spec
        .given([registered, created])
        .when({ type: 'CreateManagementGroup', data: { managementGroupId: 'finance', name: 'Finance', now } })
        .thenNothingHappens();
      spec
        .given([registered, created])
        .when({ type: 'CreateManagementGroup', data: { managementGroupId: 'finance', name: 'Sales', now } })
        .thenRefuses('MANAGEMENT_GROUP_ALREADY_EXISTS');
    });

    it('moves a subscription into a group, and from one group to another, saying which it left', () => {
      const sales: CustomerEvent = {
        type: 'ManagementGroupCreated',
        data: { customerId: 'c-1', managementGroupId: 'sales', name: 'Sales', createdAt: now },
      };
      spec
        .given([registered, subscriptionAdded, created])
        .when({
          type: 'MoveSubscriptionToManagementGroup',
          data: { subscriptionId: 's-1', managementGroupId: 'finance', now },
        })
        .then([moved(now)]);
      spec
        .given([registered, subscriptionAdded, created, sales, moved(now)])
        .when({
          type: 'MoveSubscriptionToManagementGroup',
          data: { subscriptionId: 's-1', managementGroupId: 'sales', now: later },
        })
        .then([moved(later, 'sales', 'finance')]);
      spec
        .given([registered, subscriptionAdded, created, moved(now)])
        .when({
          type: 'MoveSubscriptionToManagementGroup',
          data: { subscriptionId: 's-1', managementGroupId: 'finance', now: later },
        })
        .thenNothingHappens();
    });

    it('takes a subscription out of its group, and does nothing when it is in none', () => {
      spec
        .given([registered, subscriptionAdded, created, moved(now)])
        .when({
          type: 'MoveSubscriptionToManagementGroup',
          data: { subscriptionId: 's-1', managementGroupId: null, now: later },
        })
        .then([
          {
            type: 'SubscriptionRemovedFromManagementGroup',
            data: { customerId: 'c-1', subscriptionId: 's-1', managementGroupId: 'finance', removedAt: later },
          },
        ]);
      spec
        .given([registered, subscriptionAdded, created])
        .when({
          type: 'MoveSubscriptionToManagementGroup',
          data: { subscriptionId: 's-1', managementGroupId: null, now },
        })
        .thenNothingHappens();
    });

    it('refuses an unknown group or subscription', () => {
      spec
        .given([registered, subscriptionAdded])
        .when({
          type: 'MoveSubscriptionToManagementGroup',
          data: { subscriptionId: 's-1', managementGroupId: 'nope', now },
        })
        .thenRefuses('MANAGEMENT_GROUP_NOT_FOUND');
      spec
        .given([registered, created])
        .when({
          type: 'MoveSubscriptionToManagementGroup',
          data: { subscriptionId: 's-9', managementGroupId: 'finance', now },
        })
        .thenRefuses('SUBSCRIPTION_NOT_FOUND');
    });

    it('remembers which group a subscription was in at each instant, for the discount of past hours', () => {
      const customer = fold(customerDecider, [
        registered,
        subscriptionAdded,
        created,
        moved('2026-11-25T10:00:00.000Z'),
        {
          type: 'SubscriptionRemovedFromManagementGroup',
          data: { customerId: 'c-1', subscriptionId: 's-1', managementGroupId: 'finance', removedAt: later },
        },
      ]) as CustomerSnapshot;
      expect(managementGroupOf(customer, 's-1', '2026-11-25T09:00:00.000Z')).toBeUndefined();
      expect(managementGroupOf(customer, 's-1', '2026-11-25T10:00:00.000Z')).toBe('finance');
      expect(managementGroupOf(customer, 's-1', '2026-11-25T11:00:00.000Z')).toBe('finance');
      expect(managementGroupOf(customer, 's-1', later)).toBeUndefined();
      expect(managementGroupOf(customer, 's-1')).toBeUndefined();
      expect(managementGroupMembers(customer, 'finance')).toEqual([]);
    });
  });
});
