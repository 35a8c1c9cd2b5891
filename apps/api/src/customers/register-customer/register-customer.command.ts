import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { customerDecider, customerStream } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { RequestContext } from '../../http/request-context';
import { CustomerResource } from '../customer.resource';

export class RegisterCustomerCommand extends Command<CustomerResource> {
  constructor(
    readonly name: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(RegisterCustomerCommand)
export class RegisterCustomerHandler implements ICommandHandler<RegisterCustomerCommand> {
  constructor(private readonly streams: EventStreams) {}

  async execute({ name, context }: RegisterCustomerCommand): Promise<CustomerResource> {
    const customerId = context.newId('customer');
    const { state, revision, position } = await this.streams.handle(
      customerStream(customerId),
      customerDecider,
      { type: 'RegisterCustomer', data: { customerId, partnerId: context.partnerId, name, now: context.now } },
      context,
      { expectNew: true },
    );
    return CustomerResource.of(state as Extract<typeof state, { status: 'registered' }>, revision, position);
  }
}
