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
  | Message<'CustomerPersonalDataErased', { customerId: string; erasedAt: string }>;

export type CustomerCommand =
  | Message<'RegisterCustomer', { customerId: string; partnerId: string; name: string; now: string }>
  | Message<'AddSubscription', { subscriptionId: string; name: string; now: string }>
  | Message<'SuspendSubscription', { subscriptionId: string; now: string }>
  | Message<'ReactivateSubscription', { subscriptionId: string; now: string }>
  | Message<'RecordContact', { now: string }>
  | Message<'ErasePersonalData', { now: string }>;

export interface Subscription {
  subscriptionId: string;
  name: string;
  status: SubscriptionStatus;
}

export type Customer =
  { status: 'unregistered' } | { status: 'registered'; customerId: string; partnerId: string; name: string; subscriptions: Record<string, Subscription> };

/** What other deciders need to know about a customer to enforce their rules. */
export type CustomerSnapshot = Extract<Customer, { status: 'registered' }>;

export const customerStream = (customerId: string) => `customer-${customerId}`;

const registered = (state: Customer): CustomerSnapshot => {
  if (state.status !== 'registered') throw notFound('CUSTOMER_NOT_FOUND', 'customer not found');
  return state;
};

const subscription = (state: CustomerSnapshot, subscriptionId: string): Subscription => {
  const found = state.subscriptions[subscriptionId];
  if (!found) throw notFound('SUBSCRIPTION_NOT_FOUND', `subscription ${subscriptionId} does not belong to this customer`);
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
        return [{ type: 'SubscriptionAdded', data: { customerId: customer.customerId, subscriptionId, name, addedAt: now } }];
      }
      case 'SuspendSubscription': {
        const customer = registered(state);
        const { subscriptionId, now } = command.data;
        if (subscription(customer, subscriptionId).status === 'suspended') return [];
        return [{ type: 'SubscriptionSuspended', data: { customerId: customer.customerId, subscriptionId, suspendedAt: now } }];
      }
      case 'ReactivateSubscription': {
        const customer = registered(state);
        const { subscriptionId, now } = command.data;
        if (subscription(customer, subscriptionId).status === 'active') return [];
        return [{ type: 'SubscriptionReactivated', data: { customerId: customer.customerId, subscriptionId, reactivatedAt: now } }];
      }
      case 'RecordContact':
        return [{ type: 'CustomerContactRecorded', data: { customerId: registered(state).customerId, recordedAt: command.data.now } }];
      case 'ErasePersonalData':
        // Recorded every time: each erasure request is part of the audit trail.
        return [{ type: 'CustomerPersonalDataErased', data: { customerId: registered(state).customerId, erasedAt: command.data.now } }];
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
        return { ...customer, subscriptions: { ...customer.subscriptions, [subscriptionId]: { subscriptionId, name, status: 'active' } } };
      }
      case 'SubscriptionSuspended':
      case 'SubscriptionReactivated': {
        const customer = state as CustomerSnapshot;
        const { subscriptionId } = event.data;
        const status: SubscriptionStatus = event.type === 'SubscriptionSuspended' ? 'suspended' : 'active';
        return { ...customer, subscriptions: { ...customer.subscriptions, [subscriptionId]: { ...customer.subscriptions[subscriptionId], status } } };
      }
      case 'CustomerContactRecorded':
      case 'CustomerPersonalDataErased':
        return state;
    }
  },
};

export const isActiveSubscription = (customer: CustomerSnapshot, subscriptionId: string): boolean =>
  customer.subscriptions[subscriptionId]?.status === 'active';
