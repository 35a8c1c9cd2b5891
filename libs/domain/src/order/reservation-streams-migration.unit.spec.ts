import { deciderSpecification } from '../../testing/decider-specification';
import { orderLine, orderPlaced } from '../../testing/order.fixture';
import { provisionedReservation } from '../../testing/reservation.fixture';
import { ReservationEvent } from '../reservation/reservation.events';
import { fold } from '../shared/decider';
import { MigratedReservationStream, OrderEvent, PlacedOrder } from './order';
import { orderDecider } from './order.decider';
import { madeFrom, reservationsOutsideOrder } from './reservation-streams-migration';

const spec = deciderSpecification(orderDecider);
const now = '2026-11-25T10:00:00.000Z';
const later = '2026-12-01T08:00:00.000Z';

/**
 * An order completed before it held its reservations: OrderCompleted names
 * r-old, which lived in a stream of its own and was split there into r-a
 * and r-b (streams of their own too). Turning r-b's renewal on was written
 * on the order stream since.
 */
const placed = orderPlaced({ lines: [orderLine(1)], placedAt: now });
const legacyOrder: OrderEvent[] = [
  { type: 'OrderPlaced', data: placed },
  { type: 'OrderCompleted', data: { orderId: 'o-1', reservationIds: ['r-old'], completedAt: now } },
  { type: 'ReservationAutoRenewSet', data: { reservationId: 'r-b', autoRenew: true, setAt: later } },
];
const provisioned = (reservationId: string, quantity: number): ReservationEvent => ({
  type: 'ReservationProvisioned',
  data: provisionedReservation({
    reservationId,
    quantity,
    billingPlan: 'Upfront',
    effectiveDate: now,
    expiryDate: '2027-11-25T10:00:00.000Z',
  }),
});
const into = [
  { reservationId: 'r-a', quantity: 1 },
  { reservationId: 'r-b', quantity: 2 },
];
const streams: MigratedReservationStream[] = [
  {
    reservationId: 'r-old',
    events: [
      provisioned('r-old', 3),
      { type: 'ReservationSplit', data: { reservationId: 'r-old', into, splitAt: now } },
    ],
  },
  { reservationId: 'r-a', events: [provisioned('r-a', 1)] },
  { reservationId: 'r-b', events: [provisioned('r-b', 2)] },
];
const migrated: OrderEvent = {
  type: 'ReservationStreamsMigrated',
  data: { orderId: 'o-1', streams, migratedAt: later },
};

describe('the migration of reservations kept in streams of their own', () => {
  it('finds what the order names and does not hold, and where their streams lead', () => {
    expect(reservationsOutsideOrder(fold(orderDecider, legacyOrder))).toEqual(['r-old', 'r-b']);
    expect(madeFrom(streams[0])).toEqual(['r-a', 'r-b']);
    expect(madeFrom({ reservationId: 'r-x', events: [] })).toEqual([]);
  });

  it('copies the streams onto the order in one event', () =>
    spec
      .given(legacyOrder)
      .when({ type: 'MigrateReservationStreams', data: { streams, now: later } })
      .then([migrated]));

  it('folds each copied reservation with the changes the order kept aside for it on top', () => {
    const order = fold(orderDecider, [...legacyOrder, migrated]) as PlacedOrder;
    expect(order.awaiting).toEqual({});
    expect(reservationsOutsideOrder(order)).toEqual([]);
    expect(order.reservations['r-old']).toMatchObject({ status: 'Split', quantity: 3 });
    expect(['r-a', 'r-b'].map((id) => [order.reservations[id].quantity, order.reservations[id].autoRenew])).toEqual([
      [1, false],
      [2, true],
    ]);
    // A line completed before lines recorded their provisioning is read as provisioned, as before.
    expect(order.lines[0].provisioning).toEqual({ status: 'provisioned', reservationId: 'r-old' });
  });

  it('writes nothing the second time, nor for a stream without a reservation or one the order holds', () => {
    spec
      .given([...legacyOrder, migrated])
      .when({ type: 'MigrateReservationStreams', data: { streams, now: later } })
      .thenNothingHappens();
    spec
      .given([...legacyOrder, provisioned('r-old', 3)])
      .when({
        type: 'MigrateReservationStreams',
        data: { streams: [streams[0], { reservationId: 'r-x', events: [] }], now: later },
      })
      .thenNothingHappens();
  });
});
