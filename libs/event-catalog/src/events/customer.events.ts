import { EventType } from '../event-type';
import { id, instant, record, text } from '../json-schema';
import { at, customerId, subscriptionId } from './event-examples';

const CUSTOMER = 'customer-{customerId}';

/** Customers: registration, subscriptions, contact, management groups. */
export const CUSTOMER_EVENTS: EventType[] = [
  {
    type: 'CustomerRegistered',
    version: 1,
    stream: CUSTOMER,
    cause: 'POST /v1/customers',
    schema: record({ customerId: id, partnerId: id, name: text, registeredAt: instant }),
    example: { customerId, partnerId: 'partner-contoso', name: 'Contoso Pharma', registeredAt: at },
  },
  {
    type: 'SubscriptionAdded',
    version: 1,
    stream: CUSTOMER,
    cause: 'POST /v1/customers/{id}/subscriptions',
    schema: record({ customerId: id, subscriptionId: id, name: text, addedAt: instant }),
    example: { customerId, subscriptionId, name: 'Production', addedAt: at },
  },
  {
    type: 'SubscriptionSuspended',
    version: 1,
    stream: CUSTOMER,
    cause: 'POST /v1/customers/{id}/subscriptions/{sid}/suspend',
    schema: record({ customerId: id, subscriptionId: id, suspendedAt: instant }),
    example: { customerId, subscriptionId, suspendedAt: at },
  },
  {
    type: 'SubscriptionReactivated',
    version: 1,
    stream: CUSTOMER,
    cause: 'POST /v1/customers/{id}/subscriptions/{sid}/reactivate',
    schema: record({ customerId: id, subscriptionId: id, reactivatedAt: instant }),
    example: { customerId, subscriptionId, reactivatedAt: at },
  },
  {
    type: 'CustomerContactRecorded',
    version: 1,
    stream: CUSTOMER,
    cause: 'PUT /v1/customers/{id}/contact. The contact itself is in PostgreSQL, never in an event',
    schema: record({ customerId: id, recordedAt: instant }),
    example: { customerId, recordedAt: at },
  },
  {
    type: 'CustomerPersonalDataErased',
    version: 1,
    stream: CUSTOMER,
    cause: 'DELETE /v1/customers/{id}/personal-data, after the contact is deleted',
    schema: record({ customerId: id, erasedAt: instant }),
    example: { customerId, erasedAt: at },
  },
  {
    type: 'ManagementGroupCreated',
    version: 1,
    stream: CUSTOMER,
    cause: 'POST /v1/customers/{id}/management-groups',
    schema: record({ customerId: id, managementGroupId: id, name: text, createdAt: instant }),
    example: { customerId, managementGroupId: 'finance', name: 'Finance', createdAt: at },
  },
  {
    type: 'SubscriptionMovedToManagementGroup',
    version: 1,
    stream: CUSTOMER,
    cause:
      'PUT /v1/customers/{id}/subscriptions/{sid}/management-group. fromManagementGroupId: the group it left, if any',
    schema: record(
      { customerId: id, subscriptionId: id, managementGroupId: id, fromManagementGroupId: id, movedAt: instant },
      ['fromManagementGroupId'],
    ),
    example: { customerId, subscriptionId, managementGroupId: 'finance', movedAt: at },
  },
  {
    type: 'SubscriptionRemovedFromManagementGroup',
    version: 1,
    stream: CUSTOMER,
    cause: 'DELETE /v1/customers/{id}/subscriptions/{sid}/management-group',
    schema: record({ customerId: id, subscriptionId: id, managementGroupId: id, removedAt: instant }),
    example: { customerId, subscriptionId, managementGroupId: 'finance', removedAt: at },
  },
];
