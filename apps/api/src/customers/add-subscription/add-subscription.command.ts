import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStreams } from '@app/eventstore-client';
import { RequestContext } from '../../http/request-context';
import { CustomerResource, ownedCustomerStream } from '../customer.resource';

export class AddSubscriptionCommand extends Command<CustomerResource> {
  constructor(
    readonly customerId: string,
    readonly subscriptionId: string | undefined,
    readonly name: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(AddSubscriptionCommand)
export class AddSubscriptionHandler implements ICommandHandler<AddSubscriptionCommand> {
  constructor(private readonly streams: EventStreams) {}

  async execute({ customerId, subscriptionId, name, context }: AddSubscriptionCommand): Promise<CustomerResource> {
    const id = subscriptionId ?? context.newId(`subscription/${customerId}`);
    return ownedCustomerStream(customerId, context).change(this.streams, context, () => ({
      type: 'AddSubscription' as const,
      data: { subscriptionId: id, name, now: context.now },
    }));
  }
}
