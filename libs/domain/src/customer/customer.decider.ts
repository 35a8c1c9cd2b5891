import { Decider, Message } from '../shared/decider';
import { illegalState, notFound } from '../shared/domain-error';

export type SubscriptionStatus = 'active' | 'suspended';

export type CustomerEvent =
  | Message<'CustomerRegistered', { customerId: string; partnerId: string; name: string; registeredAt: string }>
  | Message<'SubscriptionAdded', { customerId: string; subscriptionId: string; name: string; addedAt: string }>
  | Message<'SubscriptionSuspended', { customerId: string; subscriptionId: string; suspendedAt: string }>
  | Message<'SubscriptionReactivated', { customerId: string; subscriptionId: string; reactivatedAt: string }>
  /** The contact person's details changed. They are kept outside the event store; the event says only that and when. */
  | Message<'CustomerContactRecorded', { customerId: string; recordedAt: string }>
  /** The customer's personal data was erased from the contact directory, on request. */
  | Message<'CustomerPersonalDataErased', { customerId: string; erasedAt: string }>
  | Message<
      'ManagementGroupCreated',
      { customerId: string; managementGroupId: string; name: string; createdAt: string }
    >
  /** A subscription joined a group; it left the one it was in before, if any (a subscription sits in one group at a time). */
  | Message<
      'SubscriptionMovedToManagementGroup',
      {
        customerId: string;
        subscriptionId: string;
        managementGroupId: string;
        fromManagementGroupId?: string;
        movedAt: string;
      }
    >
  | Message<
      'SubscriptionRemovedFromManagementGroup',
      { customerId: string; subscriptionId: string; managementGroupId: string; removedAt: string }
    >;

export type CustomerCommand =
  | Message<'RegisterCustomer', { customerId: string; partnerId: string; name: string; now: string }>
  | Message<'AddSubscription', { subscriptionId: string; name: string; now: string }>
  | Message<'SuspendSubscription', { subscriptionId: string; now: string }>
  | Message<'ReactivateSubscription', { subscriptionId: string; now: string }>
  | Message<'RecordContact', { now: string }>
  | Message<'ErasePersonalData', { now: string }>
  | Message<'CreateManagementGroup', { managementGroupId: string; name: string; now: string }>
  /** Into a group, or out of any group when managementGroupId is null. */
  | Message<
      'MoveSubscriptionToManagementGroup',
      { subscriptionId: string; managementGroupId: string | null; now: string }
    >;

export interface Subscription {
  subscriptionId: string;
  name: string;
  status: SubscriptionStatus;
}

export interface ManagementGroup {
  managementGroupId: string;
  name: string;
}

/** A stretch of time a subscription spent in a group; the discount of an hour looks at the group the subscription was in then. */
export interface ManagementGroupMembership {
  subscriptionId: string;
  managementGroupId: string;
  from: string;
  /** Absent while the subscription is still in the group. */
  until?: string;
}

export type Customer =
  | { status: 'unregistered' }
  | {
      status: 'registered';
      customerId: string;
      partnerId: string;
      name: string;
      subscriptions: Record<string, Subscription>;
      /** Absent on views folded before groups existed. */
      managementGroups?: Record<string, ManagementGroup>;
      managementGroupMemberships?: ManagementGroupMembership[];
      /** When its personal data was first erased; no contact is recorded after. */
      personalDataErasedAt?: string;
    };

/** What other deciders need to know about a customer to enforce their rules. */
export type CustomerSnapshot = Extract<Customer, { status: 'registered' }>;

export const customerStream = (customerId: string) => `customer-${customerId}`;

const registered = (state: Customer): CustomerSnapshot => {
  if (state.status !== 'registered') throw notFound('CUSTOMER_NOT_FOUND', 'customer not found');
  return state;
};

const subscription = (state: CustomerSnapshot, subscriptionId: string): Subscription => {
  const found = state.subscriptions[subscriptionId];
  if (!found)
    throw notFound('SUBSCRIPTION_NOT_FOUND', `subscription ${subscriptionId} does not belong to this customer`);
  return found;
};

export const customerDecider: Decider<Customer, CustomerCommand, CustomerEvent> = {
  initialState: () => ({ status: 'unregistered' }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterCustomer': {
        const { customerId, partnerId, name, now } = command.data;
        if (state.status === 'registered') {
          // A retry of the same registration is a no-op; anything else is a clash of ids.
          if (state.partnerId === partnerId && state.name === name) return [];
          throw illegalState('CUSTOMER_ALREADY_EXISTS', `customer ${customerId} already exists`);
        }
        return [{ type: 'CustomerRegistered', data: { customerId, partnerId, name, registeredAt: now } }];
      }
      case 'AddSubscription': {
        const customer = registered(state);
        const { subscriptionId, name, now } = command.data;
        const existing = customer.subscriptions[subscriptionId];
        if (existing) {
          if (existing.name === name) return [];
          throw illegalState('SUBSCRIPTION_ALREADY_EXISTS', `subscription ${subscriptionId} already exists`);
        }
        return [
          { type: 'SubscriptionAdded', data: { customerId: customer.customerId, subscriptionId, name, addedAt: now } },
        ];
      }
      case 'SuspendSubscription': {
        const customer = registered(state);
        const { subscriptionId, now } = command.data;
        if (subscription(customer, subscriptionId).status === 'suspended') return [];
        return [
          {
            type: 'SubscriptionSuspended',
            data: { customerId: customer.customerId, subscriptionId, suspendedAt: now },
          },
        ];
      }
      case 'ReactivateSubscription': {
        const customer = registered(state);
        const { subscriptionId, now } = command.data;
        if (subscription(customer, subscriptionId).status === 'active') return [];
        return [
          {
            type: 'SubscriptionReactivated',
            data: { customerId: customer.customerId, subscriptionId, reactivatedAt: now },
          },
        ];
      }
      case 'RecordContact': {
        const customer = registered(state);
        if (customer.personalDataErasedAt !== undefined) {
          throw illegalState(
            'PERSONAL_DATA_ERASED',
            `customer ${customer.customerId}'s personal data was erased at ${customer.personalDataErasedAt}; no contact is recorded after`,
          );
        }
        return [
          { type: 'CustomerContactRecorded', data: { customerId: customer.customerId, recordedAt: command.data.now } },
        ];
      }
      case 'ErasePersonalData':
        // Recorded every time: each erasure request is part of the audit trail.
        return [
          {
            type: 'CustomerPersonalDataErased',
            data: { customerId: registered(state).customerId, erasedAt: command.data.now },
          },
        ];
      case 'CreateManagementGroup': {
        const customer = registered(state);
        const { managementGroupId, name, now } = command.data;
        const existing = customer.managementGroups?.[managementGroupId];
        if (existing) {
          if (existing.name === name) return [];
          throw illegalState('MANAGEMENT_GROUP_ALREADY_EXISTS', `management group ${managementGroupId} already exists`);
        }
        return [
          {
            type: 'ManagementGroupCreated',
            data: { customerId: customer.customerId, managementGroupId, name, createdAt: now },
          },
        ];
      }
      case 'MoveSubscriptionToManagementGroup': {
        const customer = registered(state);
        const { subscriptionId, managementGroupId, now } = command.data;
        subscription(customer, subscriptionId);
        const current = managementGroupOf(customer, subscriptionId);
        if (current === (managementGroupId ?? undefined)) return [];
        if (managementGroupId === null) {
          return [
            {
              type: 'SubscriptionRemovedFromManagementGroup',
              data: { customerId: customer.customerId, subscriptionId, managementGroupId: current!, removedAt: now },
            },
          ];
        }
        managementGroup(customer, managementGroupId);
        const from = current ? { fromManagementGroupId: current } : {};
        return [
          {
            type: 'SubscriptionMovedToManagementGroup',
            data: { customerId: customer.customerId, subscriptionId, managementGroupId, ...from, movedAt: now },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'CustomerRegistered': {
        const { customerId, partnerId, name } = event.data;
        return { status: 'registered', customerId, partnerId, name, subscriptions: {} };
      }
      case 'SubscriptionAdded': {
        const customer = state as CustomerSnapshot;
        const { subscriptionId, name } = event.data;
        return {
          ...customer,
          subscriptions: { ...customer.subscriptions, [subscriptionId]: { subscriptionId, name, status: 'active' } },
        };
      }
      case 'SubscriptionSuspended':
      case 'SubscriptionReactivated': {
        const customer = state as CustomerSnapshot;
        const { subscriptionId } = event.data;
        const status: SubscriptionStatus = event.type === 'SubscriptionSuspended' ? 'suspended' : 'active';
        return {
          ...customer,
          subscriptions: {
            ...customer.subscriptions,
            [subscriptionId]: { ...customer.subscriptions[subscriptionId], status },
          },
        };
      }
      case 'CustomerContactRecorded':
        return state;
      case 'CustomerPersonalDataErased': {
        const customer = state as CustomerSnapshot;
        return customer.personalDataErasedAt === undefined
          ? { ...customer, personalDataErasedAt: event.data.erasedAt }
          : customer;
      }
      case 'ManagementGroupCreated': {
        const customer = state as CustomerSnapshot;
        const { managementGroupId, name } = event.data;
        return {
          ...customer,
          managementGroups: { ...customer.managementGroups, [managementGroupId]: { managementGroupId, name } },
        };
      }
      case 'SubscriptionMovedToManagementGroup':
      case 'SubscriptionRemovedFromManagementGroup': {
        const customer = state as CustomerSnapshot;
        const { subscriptionId } = event.data;
        const at = event.type === 'SubscriptionMovedToManagementGroup' ? event.data.movedAt : event.data.removedAt;
        const memberships = (customer.managementGroupMemberships ?? []).map((m) =>
          m.subscriptionId === subscriptionId && !m.until ? { ...m, until: at } : m,
        );
        if (event.type === 'SubscriptionMovedToManagementGroup')
          memberships.push({ subscriptionId, managementGroupId: event.data.managementGroupId, from: at });
        return { ...customer, managementGroupMemberships: memberships };
      }
    }
  },
};

/** One of the customer's management groups; 404 when it has no such group. */
export const managementGroup = (customer: CustomerSnapshot, managementGroupId: string): ManagementGroup => {
  const found = customer.managementGroups?.[managementGroupId];
  if (!found)
    throw notFound(
      'MANAGEMENT_GROUP_NOT_FOUND',
      `management group ${managementGroupId} is not one of customer ${customer.customerId}'s groups`,
    );
  return found;
};

/** The group a subscription is in now, or was in at an instant. */
export const managementGroupOf = (
  customer: CustomerSnapshot,
  subscriptionId: string,
  at?: string,
): string | undefined => {
  const instant = at === undefined ? undefined : Date.parse(at);
  return (customer.managementGroupMemberships ?? []).find(
    (m) =>
      m.subscriptionId === subscriptionId &&
      (instant === undefined ? !m.until : Date.parse(m.from) <= instant && (!m.until || instant < Date.parse(m.until))),
  )?.managementGroupId;
};

/** The subscriptions in a group now. */
export const managementGroupMembers = (customer: CustomerSnapshot, managementGroupId: string): string[] =>
  Object.keys(customer.subscriptions).filter(
    (subscriptionId) => managementGroupOf(customer, subscriptionId) === managementGroupId,
  );

export const isActiveSubscription = (customer: CustomerSnapshot, subscriptionId: string): boolean =>
  customer.subscriptions[subscriptionId]?.status === 'active';
