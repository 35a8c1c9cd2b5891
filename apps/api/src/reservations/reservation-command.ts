import { ActiveReservation, ReservationCommand, reservationDecider, reservationStream } from '@app/domain';
import { EventStreams } from '@app/eventstore';
import { ownedReservation } from '@app/ordering';
import { RequestContext } from '../http/request-context';
import { ReservationResource } from './reservation.resource';

/**
 * The shape every change of one reservation shares: read its stream, where
 * the partner must own it, decide, append with the expected revision
 * (honouring If-Match), and answer the reservation.
 */
export async function changeReservation(
  streams: EventStreams,
  reservationId: string,
  context: RequestContext,
  command: (reservation: ActiveReservation) => Promise<ReservationCommand> | ReservationCommand,
): Promise<ReservationResource> {
  const { state, revision, position } = await streams.handle(
    reservationStream(reservationId),
    reservationDecider,
    (reservation) => command(ownedReservation(reservation, reservationId, context.partnerId)),
    context,
    { expectedRevision: context.expectedRevision },
  );
  return ReservationResource.of(state as ActiveReservation, revision, position);
}
