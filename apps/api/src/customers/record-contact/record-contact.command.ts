import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { customerDecider, customerStream } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ownedCustomer } from '@app/ordering';
import { Contact, ContactDirectory, StoredContact } from '@app/personal-data';
import { RequestContext } from '../../http/request-context';

export class RecordContactCommand extends Command<StoredContact> {
  constructor(
    readonly customerId: string,
    readonly contact: Contact,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * The contact goes to the contact directory first, then an event without it
 * records that it changed. A crash between the two leaves the contact saved
 * and the audit line missing; the caller's retry writes it.
 */
@CommandHandler(RecordContactCommand)
export class RecordContactHandler implements ICommandHandler<RecordContactCommand> {
  constructor(
    private readonly streams: EventStreams,
    private readonly contacts: ContactDirectory,
  ) {}

  async execute({ customerId, contact, context }: RecordContactCommand): Promise<StoredContact> {
    const { state } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    ownedCustomer(state, customerId, context.partnerId);
    const stored = await this.contacts.put(customerId, context.partnerId, contact, context.now);
    await this.streams.handle(customerStream(customerId), customerDecider, { type: 'RecordContact', data: { now: context.now } }, context);
    return stored;
  }
}
