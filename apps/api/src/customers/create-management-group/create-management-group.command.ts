import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStreams } from '@app/eventstore-client';
import { RequestContext } from '../../http/request-context';
import { CustomerResource, ownedCustomerStream } from '../customer.resource';

export class CreateManagementGroupCommand extends Command<CustomerResource> {
  constructor(
    readonly customerId: string,
    readonly managementGroupId: string,
    readonly name: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(CreateManagementGroupCommand)
export class CreateManagementGroupHandler implements ICommandHandler<CreateManagementGroupCommand> {
  constructor(private readonly streams: EventStreams) {}

  execute({ customerId, managementGroupId, name, context }: CreateManagementGroupCommand): Promise<CustomerResource> {
    return ownedCustomerStream(customerId, context).change(this.streams, context, () => ({
      type: 'CreateManagementGroup' as const,
      data: { managementGroupId, name, now: context.now },
    }));
  }
}
