import { ActiveReservation, OrderCommand, PlacedOrder, reservationOf } from '@app/domain';
import { ReservationOrders } from '@app/ordering';
import { RequestContext } from '../http/request-context';
import { ReservationResource } from './reservation.resource';

/**
 * The shape every change of a reservation shares: find the reservation
 * order that holds it, read that order, decide, and append with the
 * order's expected revision (honouring If-Match: a reservation's ETag is its
 * reservation order's revision), then answer the reservation named.
 */
export async function changeReservation(
  orders: ReservationOrders,
  reservationId: string,
  context: RequestContext,
  command: (reservation: ActiveReservation, order: PlacedOrder) => Promise<OrderCommand> | OrderCommand,
  answer: string = reservationId,
): Promise<ReservationResource> {
  const orderId = await orders.locate(reservationId, context.partnerId);
  const { state, revision, position } = await orders.handle(
    orderId,
    (order) => {
      const placed = order as PlacedOrder;
      return command(reservationOf(placed, reservationId), placed);
    },
    context,
    { expectedRevision: context.expectedRevision },
  );
  return ReservationResource.of(reservationOf(state as PlacedOrder, answer), revision, position);
}
