import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CustomerSnapshot, SubscriptionStatus } from '@app/domain';
import { Revision } from '@app/eventstore-client';

export class SubscriptionResource {
  @ApiProperty({ format: 'uuid' }) subscriptionId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['active', 'suspended'] }) status: SubscriptionStatus;
}

export class CustomerResource {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() partnerId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [SubscriptionResource] }) subscriptions: SubscriptionResource[];
  @ApiProperty({ description: 'Stream revision; send it back in If-Match to guard against concurrent changes' }) revision: string;
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
