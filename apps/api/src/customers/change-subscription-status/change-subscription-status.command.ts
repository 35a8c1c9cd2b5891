import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CustomerCommand } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { RequestContext } from '../../http/request-context';
import { CustomerResource, ownedCustomerStream } from '../customer.resource';

export class ChangeSubscriptionStatusCommand extends Command<CustomerResource> {
  constructor(
    readonly customerId: string,
    readonly subscriptionId: string,
    readonly change: 'suspend' | 'reactivate',
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(ChangeSubscriptionStatusCommand)
export class ChangeSubscriptionStatusHandler implements ICommandHandler<ChangeSubscriptionStatusCommand> {
  constructor(private readonly streams: EventStreams) {}

  async execute({
    customerId,
    subscriptionId,
    change,
    context,
  }: ChangeSubscriptionStatusCommand): Promise<CustomerResource> {
    const data = { subscriptionId, now: context.now };
    const command: CustomerCommand =
      change === 'suspend' ? { type: 'SuspendSubscription', data } : { type: 'ReactivateSubscription', data };
    return ownedCustomerStream(customerId, context).change(this.streams, context, () => command);
  }
}
