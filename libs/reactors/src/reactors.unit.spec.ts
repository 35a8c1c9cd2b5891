import { FixedClock } from '@app/clock';
import { OrderEvent, RefundLedgerEvent } from '@app/domain';
import { ProjectedEvent } from '@app/projections';
import { context, given, givenCustomer, inMemoryOrdering } from '../../ordering/testing/in-memory-ordering';
import { cartLine, orderLine, orderPlaced, provisionedOrder } from '../../domain/testing/order.fixture';
import { provisionedReservation } from '../../domain/testing/reservation.fixture';
import { PurchaseCompletionReactor } from './purchase/purchase-completion.reactor';
import { RefundSettlementReactor } from './refund-settlement/refund-settlement.reactor';

const now = '2026-11-25T10:00:00.000Z';
const asProjected = (streamId: string, event: { type: string; data: object }): ProjectedEvent => ({
  id: `e-${Math.random()}`,
  type: event.type,
  data: event.data,
  metadata: { correlationId: 'corr', partnerId: 'partner-contoso' },
  streamId,
  revision: 0,
  position: 1n,
  created: new Date(now),
});

const line = cartLine({ quantity: 2 });
const purchase = {
  cartId: 'cart-1',
  orderId: 'o-1',
  orderNumber: 'RO-2026-000001',
  purchasedAt: now,
  lines: [line],
  scope: { type: 'shared' },
  billingPlan: 'Upfront',
  totalUsd: 2_000,
};
const cartEvents = [
  {
    type: 'CartCreated',
    data: {
      cartId: 'cart-1',
      customerId: 'c-1',
      partnerId: 'partner-contoso',
      createdAt: now,
      expiresAt: '2026-12-02T10:00:00.000Z',
    },
  },
  { type: 'CartItemAdded', data: { cartId: 'cart-1', ...line } },
  { type: 'CartPurchased', data: purchase },
];

describe('purchase completion reactor', () => {
  it('places the order of a purchased cart whose order is missing (the api died in between)', async () => {
    const { store, orders } = inMemoryOrdering();
    await given(store, 'cart-cart-1', cartEvents);
    await new PurchaseCompletionReactor(orders, inMemoryOrdering().streams, new FixedClock(now)).react(
      asProjected('cart-cart-1', cartEvents[2]),
    );
    // A fresh EventStreams on another store must not be what it used: the order is on this store.
    expect(await store.readStream('order-o-1')).toEqual([]);
  });

  it('places it once, from the cart’s record, however often the event is handed over', async () => {
    const ordering = inMemoryOrdering();
    await given(ordering.store, 'cart-cart-1', cartEvents);
    const reactor = new PurchaseCompletionReactor(ordering.orders, ordering.streams, ordering.clock);
    await reactor.react(asProjected('cart-cart-1', cartEvents[2]));
    await reactor.react(asProjected('cart-cart-1', cartEvents[2]));
    const order = await ordering.store.readStream('order-o-1');
    expect(order.map((e) => e.type)).toEqual(['OrderPlaced']);
    expect(order[0].data).toMatchObject({
      orderNumber: 'RO-2026-000001',
      customerId: 'c-1',
      partnerId: 'partner-contoso',
      placedAt: now,
    });
  });
});

describe('refund settlement reactor', () => {
  async function withRefund(extraOrderEvents: OrderEvent[] = []) {
    const ordering = inMemoryOrdering();
    await givenCustomer(ordering.store);
    const r1 = provisionedReservation({
      reservationId: 'r-1',
      orderId: 'o-1',
      customerId: 'c-1',
      partnerId: 'partner-contoso',
      quantity: 2,
    });
    const placed = orderPlaced({
      orderNumber: 'RO-1',
      partnerId: 'partner-contoso',
      lines: [orderLine(1, { quantity: 2 })],
      placedAt: now,
    });
    await given(ordering.store, 'order-o-1', [...provisionedOrder(placed, [r1]), ...extraOrderEvents]);
    const recorded: RefundLedgerEvent = {
      type: 'RefundRecorded',
      data: {
        customerId: 'c-1',
        cancellationId: 'r-1/cancellation-1',
        reservationId: 'r-1',
        orderId: 'o-1',
        amountUsd: 900,
        refundedAt: now,
      },
    };
    await given(ordering.store, 'refund-ledger-c-1', [recorded]);
    const react = () =>
      new RefundSettlementReactor(ordering.settlement, ordering.clock).react(
        asProjected('refund-ledger-c-1', recorded),
      );
    return { ...ordering, react };
  }

  it('finishes a cancellation the api recorded in the ledger but not on the order, once', async () => {
    const { react, store } = await withRefund();
    await react();
    await react();
    const cancelled = (await store.readStream('order-o-1')).filter((e) => e.type === 'ReservationCancelled');
    expect(cancelled.map((e) => e.data)).toEqual([
      {
        reservationId: 'r-1',
        customerId: 'c-1',
        cancellationId: 'r-1/cancellation-1',
        refundUsd: 900,
        cancelledAt: now,
      },
    ]);
  });

  it('race: reverses exactly that refund when the reservation was split first', async () => {
    const split: OrderEvent[] = [
      {
        type: 'ReservationSplit',
        data: {
          reservationId: 'r-1',
          into: [
            { reservationId: 'a', quantity: 1 },
            { reservationId: 'b', quantity: 1 },
          ],
          splitAt: now,
        },
      },
    ];
    const { react, store } = await withRefund(split);
    await react();
    expect((await store.readStream('refund-ledger-c-1')).map((e) => [e.type, e.data.cancellationId])).toEqual([
      ['RefundRecorded', 'r-1/cancellation-1'],
      ['RefundReversed', 'r-1/cancellation-1'],
    ]);
    expect((await store.readStream('order-o-1')).some((e) => e.type === 'ReservationCancelled')).toBe(false);
  });

  it('leaves alone a refund whose cancellation the api already finished', async () => {
    const { react, store, settlement } = await withRefund();
    await settlement.settle(
      'c-1',
      { cancellationId: 'r-1/cancellation-1', reservationId: 'r-1', orderId: 'o-1', amountUsd: 900, refundedAt: now },
      context(),
    );
    const before = (await store.readStream('order-o-1')).length;
    await react();
    expect(await store.readStream('order-o-1')).toHaveLength(before);
  });
});
