import { foldReservation } from '../reservation/reservation';
import { Message } from '../shared/decider';
import { MigratedReservationStream, Order, OrderEvent, PlacedOrder } from './order';

/**
 * Where a reservation lived before its order held it. Nothing writes these
 * streams any more; only the migration reads them.
 */
export const legacyReservationStream = (reservationId: string) => `reservation-${reservationId}`;

/** Copy the reservations' streams of their own onto the order (`npm run migrate:reservation-streams`). */
export type MigrateReservationStreams = Message<
  'MigrateReservationStreams',
  { streams: MigratedReservationStream[]; now: string }
>;

/** The reservations an order names but does not hold: those its lines provisioned, and those it kept changes aside for. */
export const reservationsOutsideOrder = (order: Order): string[] =>
  order.status === 'none'
    ? []
    : [...new Set([...order.reservationIds, ...Object.keys(order.awaiting ?? {})])].filter(
        (reservationId) => !order.reservations[reservationId],
      );

/** The reservations a reservation's own stream leads to: the parts of its split, the reservation of its merge. They lived in streams of their own too. */
export const madeFrom = (stream: MigratedReservationStream): string[] => {
  const reservation = foldReservation(stream.events);
  if (reservation.status === 'none') return [];
  return [
    ...(reservation.splitInto?.map((part) => part.reservationId) ?? []),
    ...(reservation.mergedInto ? [reservation.mergedInto] : []),
  ];
};

/**
 * The streams of reservations the order does not hold yet, copied onto it
 * in one event; nothing when there is none (migrated already, or a stream
 * with no reservation in it), so the migration runs any number of times.
 */
export function decideReservationStreamsMigration(
  order: PlacedOrder,
  { streams, now }: MigrateReservationStreams['data'],
): OrderEvent[] {
  const missing = streams.filter(
    ({ reservationId, events }) => !order.reservations[reservationId] && foldReservation(events).status !== 'none',
  );
  return missing.length === 0
    ? []
    : [{ type: 'ReservationStreamsMigrated', data: { orderId: order.orderId, streams: missing, migratedAt: now } }];
}
