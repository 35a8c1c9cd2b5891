import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { customerDecider, customerStream } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ownedCustomer } from '@app/ordering';
import { ContactDirectory } from '@app/personal-data';
import { RequestContext } from '../../http/request-context';

export class ErasePersonalDataCommand extends Command<void> {
  constructor(
    readonly customerId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * Erasure deletes the contact first (and marks the customer erased in the
 * directory, so no contact racing it survives it), then records that it
 * happened. A crash between the two has already erased the data; the
 * caller's retry records it.
 */
@CommandHandler(ErasePersonalDataCommand)
export class ErasePersonalDataHandler implements ICommandHandler<ErasePersonalDataCommand> {
  constructor(
    private readonly streams: EventStreams,
    private readonly contacts: ContactDirectory,
  ) {}

  async execute({ customerId, context }: ErasePersonalDataCommand): Promise<void> {
    const { state } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    ownedCustomer(state, customerId, context.partnerId);
    await this.contacts.erase(customerId, context.partnerId, context.now);
    await this.streams.handle(
      customerStream(customerId),
      customerDecider,
      { type: 'ErasePersonalData', data: { now: context.now } },
      context,
    );
  }
}
