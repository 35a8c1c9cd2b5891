import {
  ActiveReservation,
  Order,
  OrderCommand,
  orderDecider,
  OrderEvent,
  orderStream,
  PlacedOrder,
  reservationOf,
} from '@app/domain';
import { ownedStream } from '../http/change-owned';
import { ReservationResource } from '../http/openapi/reservation.resource';

/**
 * A reservation, as a change sees it: its reservation order's stream (where
 * every change of it is decided), answering the reservation named.
 */
export const reservationInOrder = (orderId: string, reservationId: string, answer: string = reservationId) =>
  ownedStream<
    Order,
    { reservation: ActiveReservation; order: PlacedOrder },
    OrderCommand,
    OrderEvent,
    ReservationResource
  >({
    stream: orderStream(orderId),
    decider: orderDecider,
    // The locator already answered 404 for another partner's reservation.
    owned: (order) => ({ reservation: reservationOf(order, reservationId), order: order as PlacedOrder }),
    toResource: ({ order }, handled) =>
      ReservationResource.of(reservationOf(order, answer), handled.revision, handled.position),
  });
