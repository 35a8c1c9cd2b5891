import { EventStreams } from '@app/eventstore-client';
import { provisionedReservation } from '../../domain/testing/reservation.fixture';
import { context, given, inMemoryOrdering, InMemoryReservationLocator } from '../testing/in-memory-ordering';
import { ReservationOrders } from './reservation-orders';

const now = '2026-11-25T10:00:00.000Z';

/**
 * An order fulfilled before the reservation order held its reservations: its
 * OrderCompleted names r-old, which lives in a stream of its own. Every
 * change since is written on the order stream.
 */
async function legacyOrder() {
  const ordering = inMemoryOrdering();
  const line = {
    lineId: 'l-1',
    catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
    armSkuName: 'Standard_D4s_v5',
    region: 'westeurope',
    term: 'P1Y',
    billingPlan: 'Upfront',
    quantity: 3,
    subscriptionId: 's-1',
    unitPriceUsd: 1_000,
    lineNumber: 1,
    totalUsd: 3_000,
  };
  await given(ordering.store, 'order-o-1', [
    {
      type: 'OrderPlaced',
      data: {
        orderId: 'o-1',
        orderNumber: 'RO-2026-000001',
        cartId: 'cart-1',
        customerId: 'c-1',
        partnerId: 'partner-contoso',
        lines: [line],
        scope: { type: 'shared' },
        billingPlan: 'Upfront',
        currency: 'USD',
        totalUsd: 3_000,
        placedAt: now,
      },
    },
    { type: 'OrderCompleted', data: { orderId: 'o-1', reservationIds: ['r-old'], completedAt: now } },
  ]);
  await given(ordering.store, 'reservation-r-old', [
    { type: 'ReservationProvisioned', data: { ...provisionedReservation({ reservationId: 'r-old', partnerId: 'partner-contoso' }) } },
  ]);
  return ordering;
}

/** The order as a process that never saw it reads it: nothing kept from the writes above. */
const freshLoad = (ordering: ReturnType<typeof inMemoryOrdering>) =>
  new ReservationOrders(new EventStreams(ordering.store), new InMemoryReservationLocator(ordering.store)).load('o-1');

describe('reservation orders with reservations in streams of their own (before the order held them)', () => {
  it('folds them in', async () => {
    const { state } = await freshLoad(await legacyOrder());
    expect(state.status === 'none' ? undefined : state.reservations['r-old']).toMatchObject({ reservationId: 'r-old', quantity: 3, status: 'Succeeded' });
  });

  it('keeps what was changed on the order stream since: the change is folded on top of the reservation from its own stream', async () => {
    const ordering = await legacyOrder();
    await ordering.orders.handle(
      'o-1',
      { type: 'ChangeReservation', data: { reservationId: 'r-old', change: { type: 'SetAutoRenew', data: { autoRenew: true, now } } } },
      context(),
    );
    await ordering.orders.handle(
      'o-1',
      {
        type: 'SplitReservation',
        data: {
          reservationId: 'r-old',
          into: [
            { reservationId: 'r-a', quantity: 1 },
            { reservationId: 'r-b', quantity: 2 },
          ],
          now,
        },
      },
      context(),
    );
    const { state } = await freshLoad(ordering);
    const reservations = state.status === 'none' ? {} : state.reservations;
    expect(state.status === 'none' ? undefined : state.awaiting).toEqual({});
    // Split, so it can be neither split nor returned again; the split cancelled its renewal, set on the order stream, so its parts do not renew.
    expect(reservations['r-old']).toMatchObject({ status: 'Split', autoRenew: false });
    expect(['r-a', 'r-b'].map((id) => [reservations[id]?.quantity, reservations[id]?.autoRenew])).toEqual([
      [1, false],
      [2, false],
    ]);
  });
});
