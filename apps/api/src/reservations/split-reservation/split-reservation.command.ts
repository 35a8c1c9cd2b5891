import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import { ActiveReservation, reservationDecider, reservationStream, splitReservations, SplitPart } from '@app/domain';
import { EventStreams } from '@app/eventstore';
import { ownedReservation } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { ReservationResource } from '../reservation.resource';

const NAMESPACE = '0c9e4f3a-6b2d-4e81-9a57-2f1d8c3b7e60';

/** A reservation splits once, so its parts' ids derive from it: any retry names the same two. */
export const splitPartId = (reservationId: string, part: number) => uuidv5(`${reservationId}/split/${part}`, NAMESPACE);

export class SplitReservationCommand extends Command<ReservationResource[]> {
  constructor(
    readonly reservationId: string,
    readonly quantities: [number, number],
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * Ends the original as split, then creates the two parts. A crash between the
 * two steps leaves the original split and a part missing; the same request
 * again finds the split already recorded and creates what is missing.
 */
@CommandHandler(SplitReservationCommand)
export class SplitReservationHandler implements ICommandHandler<SplitReservationCommand> {
  constructor(private readonly streams: EventStreams) {}

  async execute({ reservationId, quantities, context }: SplitReservationCommand): Promise<ReservationResource[]> {
    const into: SplitPart[] = quantities.map((quantity, i) => ({ reservationId: splitPartId(reservationId, i + 1), quantity }));
    const { state } = await this.streams.handle(
      reservationStream(reservationId),
      reservationDecider,
      (reservation) => {
        ownedReservation(reservation, reservationId, context.partnerId);
        return { type: 'Split' as const, data: { into, now: context.now } };
      },
      context,
      { expectedRevision: context.expectedRevision },
    );
    const original = state as ActiveReservation;
    const parts = splitReservations(original, into, original.endedAt!);
    return Promise.all(
      parts.map(async (part) => {
        const created = await this.streams.handle(reservationStream(part.reservationId), reservationDecider, { type: 'RecordProvisionedReservation', data: part }, context);
        return ReservationResource.of(created.state as ActiveReservation, created.revision, created.position);
      }),
    );
  }
}
