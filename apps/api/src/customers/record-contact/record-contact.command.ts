import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { customerDecider, customerStream, illegalState } from '@app/domain';
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
 *
 * After an erasure no contact is recorded (409 PERSONAL_DATA_ERASED). The
 * directory orders a contact and an erasure racing it (ContactDirectory),
 * and the event is appended at the revision the contact was decided on, so
 * an erasure recorded meanwhile is seen: the contact it erased is refused,
 * and the trail never shows a contact recorded after its erasure.
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
    const record = { type: 'RecordContact' as const, data: { now: context.now } };
    // Refused before the directory is touched when the stream already says erased.
    customerDecider.decide(record, state);
    const stored = await this.contacts.put(customerId, context.partnerId, contact, context.now);
    if (stored === 'erased') throw erased(customerId);
    // Decided on the state read above first; another append meanwhile (an erasure) makes it decide again, and refuse.
    await this.streams.handle(customerStream(customerId), customerDecider, record, context);
    return stored;
  }
}

const erased = (customerId: string) =>
  illegalState(
    'PERSONAL_DATA_ERASED',
    `customer ${customerId}'s personal data was erased; no contact is recorded after`,
  );
