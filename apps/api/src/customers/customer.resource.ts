import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Customer, CustomerCommand, customerDecider, CustomerEvent, CustomerSnapshot, customerStream, SubscriptionStatus } from '@app/domain';
import { Revision } from '@app/eventstore-client';
import { ownedCustomer } from '@app/ordering';
import { ownedStream } from '../http/change-owned';
import { RouteErrors } from '../http/openapi/api-routes';
import { RequestContext } from '../http/request-context';

/** What a customer route can refuse with, beyond what every route can. */
export const CUSTOMER_ERRORS: RouteErrors = {
  404: ['CUSTOMER_NOT_FOUND', 'SUBSCRIPTION_NOT_FOUND'],
  409: ['CUSTOMER_ALREADY_EXISTS', 'SUBSCRIPTION_ALREADY_EXISTS'],
};

export class SubscriptionResource {
  @ApiProperty({ format: 'uuid' }) subscriptionId: string;
  @ApiProperty({ example: 'Production' }) name: string;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: SubscriptionStatus;
}

export class CustomerResource {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ example: 'partner-contoso' }) partnerId: string;
  @ApiProperty({ example: 'Contoso Pharma' }) name: string;
  @ApiProperty({ type: [SubscriptionResource] }) subscriptions: SubscriptionResource[];
  @ApiProperty({ description: 'Stream revision; send it back in If-Match to guard against concurrent changes', example: '1' }) revision: string;
  @ApiPropertyOptional({ description: '$all position of the write; send it as X-Min-Position to read it back from a view' }) position?: string;

  static of(customer: CustomerSnapshot, revision: Revision, position?: bigint): CustomerResource {
    return {
      customerId: customer.customerId,
      partnerId: customer.partnerId,
      name: customer.name,
      subscriptions: Object.values(customer.subscriptions),
      revision: revision.toString(),
      position: position?.toString(),
    };
  }
}

export class CustomerPageResource {
  @ApiProperty({ type: [CustomerResource] }) items: CustomerResource[];
  @ApiPropertyOptional({ description: 'Send it as cursor for the next page; absent on the last page' }) nextCursor?: string;
}

/** A customer of the caller's partner, as a change sees it. */
export const ownedCustomerStream = (customerId: string, context: RequestContext) =>
  ownedStream<Customer, CustomerSnapshot, CustomerCommand, CustomerEvent, CustomerResource>({
    stream: customerStream(customerId),
    decider: customerDecider,
    owned: (state) => ownedCustomer(state, customerId, context.partnerId),
    toResource: (customer, handled) => CustomerResource.of(customer, handled.revision, handled.position),
  });
