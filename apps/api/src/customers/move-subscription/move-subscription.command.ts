import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStreams } from '@app/eventstore-client';
import { RequestContext } from '../../http/request-context';
import { CustomerResource, ownedCustomerStream } from '../customer.resource';

/** Into a management group, or out of any when managementGroupId is null. */
export class MoveSubscriptionCommand extends Command<CustomerResource> {
  constructor(
    readonly customerId: string,
    readonly subscriptionId: string,
    readonly managementGroupId: string | null,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(MoveSubscriptionCommand)
export class MoveSubscriptionHandler implements ICommandHandler<MoveSubscriptionCommand> {
  constructor(private readonly streams: EventStreams) {}

  execute({
    customerId,
    subscriptionId,
    managementGroupId,
    context,
  }: MoveSubscriptionCommand): Promise<CustomerResource> {
    return ownedCustomerStream(customerId, context).change(this.streams, context, () => ({
      type: 'MoveSubscriptionToManagementGroup' as const,
      data: { subscriptionId, managementGroupId, now: context.now },
    }));
  }
}
