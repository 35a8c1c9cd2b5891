import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  Customer,
  CustomerCommand,
  customerDecider,
  CustomerEvent,
  CustomerSnapshot,
  customerStream,
  managementGroupMembers,
  managementGroupOf,
  SubscriptionStatus,
} from '@app/domain';
import { Revision } from '@app/eventstore-client';
import { ownedCustomer } from '@app/ordering';
import { ownedStream } from '../http/change-owned';
import { RouteErrors } from '../http/openapi/api-routes';
import { RequestContext } from '../http/request-context';

/** What a customer route can refuse with, beyond what every route can. */
export const CUSTOMER_ERRORS: RouteErrors = {
  404: ['CUSTOMER_NOT_FOUND', 'SUBSCRIPTION_NOT_FOUND', 'MANAGEMENT_GROUP_NOT_FOUND'],
  409: ['CUSTOMER_ALREADY_EXISTS', 'SUBSCRIPTION_ALREADY_EXISTS', 'MANAGEMENT_GROUP_ALREADY_EXISTS'],
};

export class SubscriptionResource {
  @ApiProperty({ format: 'uuid' }) subscriptionId: string;
  @ApiProperty({ example: 'Production' }) name: string;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: SubscriptionStatus;
  @ApiPropertyOptional({
    example: 'finance',
    description: 'The management group the subscription is in; absent when in none',
  })
  managementGroupId?: string;
}

export class ManagementGroupResource {
  @ApiProperty({ example: 'finance' }) managementGroupId: string;
  @ApiProperty({ example: 'Finance' }) name: string;
  @ApiProperty({ type: [String], description: 'The subscriptions in the group now', example: ['9f1c…'] })
  subscriptionIds: string[];
}

export class CustomerResource {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ example: 'partner-contoso' }) partnerId: string;
  @ApiProperty({ example: 'Contoso Pharma' }) name: string;
  @ApiProperty({ type: [SubscriptionResource] }) subscriptions: SubscriptionResource[];
  @ApiProperty({
    type: [ManagementGroupResource],
    description: 'Groups of subscriptions a reservation can be scoped to',
  })
  managementGroups: ManagementGroupResource[];
  @ApiProperty({
    description: 'Stream revision; send it back in If-Match to guard against concurrent changes',
    example: '1',
  })
  revision: string;
  @ApiPropertyOptional({
    description: '$all position of the write; send it as X-Min-Position to read it back from a view',
  })
  position?: string;

  static of(customer: CustomerSnapshot, revision: Revision, position?: bigint): CustomerResource {
    return {
      customerId: customer.customerId,
      partnerId: customer.partnerId,
      name: customer.name,
      subscriptions: Object.values(customer.subscriptions).map((subscription) => {
        const managementGroupId = managementGroupOf(customer, subscription.subscriptionId);
        return managementGroupId ? { ...subscription, managementGroupId } : subscription;
      }),
      managementGroups: Object.values(customer.managementGroups ?? {}).map(({ managementGroupId, name }) => ({
        managementGroupId,
        name,
        subscriptionIds: managementGroupMembers(customer, managementGroupId),
      })),
      revision: revision.toString(),
      position: position?.toString(),
    };
  }
}

export class CustomerPageResource {
  @ApiProperty({ type: [CustomerResource] }) items: CustomerResource[];
  @ApiPropertyOptional({ description: 'Send it as cursor for the next page; absent on the last page' })
  nextCursor?: string;
}

/** A customer of the caller's partner, as a change sees it. */
export const ownedCustomerStream = (customerId: string, context: RequestContext) =>
  ownedStream<Customer, CustomerSnapshot, CustomerCommand, CustomerEvent, CustomerResource>({
    stream: customerStream(customerId),
    decider: customerDecider,
    owned: (state) => ownedCustomer(state, customerId, context.partnerId),
    toResource: (customer, handled) => CustomerResource.of(customer, handled.revision, handled.position),
  });
