import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { customerDecider, CustomerSnapshot, customerStream } from '@app/domain';
import { EventStreams } from '@app/eventstore';
import { PartnerScopedReads } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { CustomerResource } from '../customer.resource';

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
  constructor(
    private readonly streams: EventStreams,
    private readonly reads: PartnerScopedReads,
  ) {}

  async execute({ customerId, subscriptionId, change, context }: ChangeSubscriptionStatusCommand): Promise<CustomerResource> {
    await this.reads.customer(customerId, context.partnerId);
    const type = change === 'suspend' ? 'SuspendSubscription' : 'ReactivateSubscription';
    const { state, revision } = await this.streams.handle(
      customerStream(customerId),
      customerDecider,
      { type, data: { subscriptionId, now: context.now } },
      context,
      { expectedRevision: context.expectedRevision },
    );
    return CustomerResource.of(state as CustomerSnapshot, revision);
  }
}
