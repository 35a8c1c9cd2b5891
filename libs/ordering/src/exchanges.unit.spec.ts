import { DomainError, exchangeDecider, orderDecider, reservationOf } from '@app/domain';
import { orderLine, orderPlaced, provisionedOrder } from '../../domain/testing/order.fixture';
import { provisionedReservation } from '../../domain/testing/reservation.fixture';
import { context, given, givenCustomer, inMemoryOrdering } from '../testing/in-memory-ordering';
import { ExchangeAsked, Exchanges } from './exchanges';

const bought = '2026-11-25T10:00:00.000Z';
const at = '2026-12-10T12:00:00.000Z';
const D4 = 'ri-standard_d4s_v5-westeurope-p1y';

/** A reservation order holding one upfront D4s_v5 reservation of `quantity`, bought at 1,000 a VM. */
async function orderWith(ordering: ReturnType<typeof inMemoryOrdering>, orderId: string, quantity: number) {
  const reservation = provisionedReservation({
    reservationId: `${orderId}-r1`,
    orderId,
    orderNumber: `RO-${orderId}`,
    partnerId: 'partner-contoso',
    billingPlan: 'Upfront',
    quantity,
    effectiveDate: bought,
    purchasedAt: bought,
    expiryDate: '2027-11-25T10:00:00.000Z',
  });
  const placed = orderPlaced({
    orderId,
    orderNumber: `RO-${orderId}`,
    cartId: 'cart',
    partnerId: 'partner-contoso',
    lines: [orderLine(1, { lineId: 'l', catalogItemId: D4, quantity })],
    placedAt: bought,
  });
  await given(ordering.store, `order-${orderId}`, provisionedOrder(placed, [reservation]));
  return reservation.reservationId;
}

async function twoOrders() {
  const ordering = inMemoryOrdering();
  await givenCustomer(ordering.store);
  const first = await orderWith(ordering, 'o-1', 2);
  const second = await orderWith(ordering, 'o-2', 1);
  const exchanges = new Exchanges(ordering.orders, ordering.streams, ordering.catalog);
  const asked: ExchangeAsked = {
    customerId: 'c-1',
    partnerId: 'partner-contoso',
    returns: [{ reservationId: first }, { reservationId: second }],
    purchase: { catalogItemId: 'ri-standard_d8s_v5-westeurope-p1y', quantity: 2, billingPlan: 'Upfront' },
  };
  const types = async (stream: string) => (await ordering.store.readStream(stream)).map((event) => event.type);
  return { ...ordering, exchanges, asked, first, second, types };
}

describe('exchanges of reservations of several orders', () => {
  it('holds the other order’s reservation, decides on the first order, then completes the hold: each returned once, the purchase bought once', async () => {
    const { exchanges, asked, first, second, types, orders } = await twoOrders();
    const quote = await exchanges.quote(asked, at);
    const made = await exchanges.exchange('xc-1', 'x-1', asked, context({ now: at }));
    expect(await types('exchange-xc-1')).toEqual(['ExchangeRequested', 'ExchangeCompleted']);
    expect(await types('order-o-2')).toEqual([
      'OrderPlaced',
      'OrderLineProvisioningStarted',
      'ReservationProvisioned',
      'ReservationExchangeHeld',
      'ReservationExchanged',
    ]);
    expect((await types('order-o-1')).slice(3)).toEqual([
      'ReservationExchanged',
      'ReservationProvisioned',
      'ReservationPaymentRecorded',
    ]);
    // The quote and the exchange agree, to the cent.
    expect(made.figures).toEqual(quote.figures);
    expect(made.returned.map((r) => [r.reservationId, r.quantity, r.refundUsd])).toEqual(
      quote.returns.map((r) => [r.reservationId, r.quantity, r.refundUsd]),
    );
    expect(made.bought).toMatchObject({
      reservationId: 'x-1',
      orderId: 'o-1',
      quantity: 2,
      origin: { type: 'exchange', reservationIds: [first, second] },
    });
    const { state } = await orders.load('o-2');
    expect(reservationOf(state, second)).toMatchObject({ status: 'Exchanged', exchangedFor: 'x-1' });
    expect(reservationOf(state, second).exchangeHold).toBeUndefined();
  });

  it('retry: the same exchange again (a retry after a lost answer) answers it as made and writes nothing', async () => {
    const { exchanges, asked, store } = await twoOrders();
    const made = await exchanges.exchange('xc-1', 'x-1', asked, context({ now: at }));
    const written = store.events().length;
    const again = await exchanges.exchange('xc-1', 'x-1', asked, context({ now: '2026-12-11T00:00:00.000Z' }));
    expect(again.figures).toEqual(made.figures);
    expect(store.events()).toHaveLength(written);
  });

  it('refused on the first order after the hold (it was split meanwhile): the hold is released, the exchange recorded as failed, and a late hold refused', async () => {
    const { exchanges, asked, first, second, types, orders, streams } = await twoOrders();
    await streams.handle(
      'exchange-xc-1',
      exchangeDecider,
      {
        type: 'RequestExchange',
        data: {
          exchangeId: 'xc-1',
          customerId: 'c-1',
          partnerId: 'partner-contoso',
          returns: [
            { reservationId: first, orderId: 'o-1', quantity: 2 },
            { reservationId: second, orderId: 'o-2', quantity: 1 },
          ],
          purchase: { ...asked.purchase, billingPlan: 'Upfront' },
          newReservationId: 'x-1',
          requestedAt: at,
        },
      },
      context({ now: at }),
    );
    // The first order's reservation is split before the exchange gets to it.
    await orders.handle(
      'o-1',
      {
        type: 'SplitReservation',
        data: {
          reservationId: first,
          into: [
            { reservationId: 'p-1', quantity: 1 },
            { reservationId: 'p-2', quantity: 1 },
          ],
          now: at,
        },
      },
      context({ now: at }),
    );
    await expect(exchanges.finish('xc-1', context({ now: at }))).rejects.toMatchObject({
      code: 'RESERVATION_NOT_ACTIVE',
    });
    expect(await types('order-o-2')).toEqual([
      'OrderPlaced',
      'OrderLineProvisioningStarted',
      'ReservationProvisioned',
      'ReservationExchangeHeld',
      'ReservationExchangeReleased',
    ]);
    expect(await types('exchange-xc-1')).toEqual(['ExchangeRequested', 'ExchangeFailed']);
    // Finished again (the reactor after the api), it fails the same way and writes nothing.
    await expect(exchanges.finish('xc-1', context({ now: at }))).rejects.toBeInstanceOf(DomainError);
    expect(await types('order-o-2')).toHaveLength(5);
    // Free again: the second reservation can be changed.
    const { state } = await orders.load('o-2');
    expect(reservationOf(state, second)).toMatchObject({ status: 'Succeeded', quantity: 1 });
    expect(
      orderDecider.decide(
        {
          type: 'ChangeReservation',
          data: { reservationId: second, change: { type: 'SetAutoRenew', data: { autoRenew: true, now: at } } },
        },
        state,
      ),
    ).toHaveLength(1);
    // A run that still tries to hold it for the failed exchange is refused.
    const lateHold = () =>
      orderDecider.decide(
        {
          type: 'HoldForExchange',
          data: {
            reservationId: second,
            exchangeId: 'xc-1',
            quantity: 1,
            currentUnitPriceUsd: 1_000,
            purchase: { item: { flexibilityGroup: 'DSv5 Series', region: 'westeurope' } } as never,
            now: at,
          },
        },
        state,
      );
    expect(lateHold).toThrow(expect.objectContaining({ code: 'EXCHANGE_RELEASED' }));
  });

  it('finishes an exchange whose process died after the hold, or after the decision: exactly once, from its request alone', async () => {
    for (const diesAfter of ['hold', 'decision'] as const) {
      const { exchanges, asked, types, orders, streams, catalog } = await twoOrders();
      // The request is made; the process dies at the crash point: a run that stops there.
      const dying = new Exchanges(
        Object.create(orders, {
          handle: { value: (...args: Parameters<typeof orders.handle>) => stopAfter(args, diesAfter, orders) },
        }),
        streams,
        catalog,
      );
      await expect(dying.exchange('xc-1', 'x-1', asked, context({ now: at }))).rejects.toThrow('died');
      // The reactor, from ExchangeRequested, finishes it.
      await exchanges.finish('xc-1', context({ now: '2026-12-10T12:00:05.000Z' }));
      await exchanges.finish('xc-1', context({ now: '2026-12-10T12:00:06.000Z' }));
      expect(await types('exchange-xc-1')).toEqual(['ExchangeRequested', 'ExchangeCompleted']);
      expect((await types('order-o-2')).slice(3)).toEqual(['ReservationExchangeHeld', 'ReservationExchanged']);
      expect((await types('order-o-1')).slice(3)).toEqual([
        'ReservationExchanged',
        'ReservationProvisioned',
        'ReservationPaymentRecorded',
      ]);
    }
  });
});

/** Lets appends through until the crash point, then dies before the next one. */
function stopAfter(
  args: Parameters<ReturnType<typeof inMemoryOrdering>['orders']['handle']>,
  point: 'hold' | 'decision',
  orders: ReturnType<typeof inMemoryOrdering>['orders'],
) {
  const [orderId] = args;
  const step = String(args[2].commandId);
  const dies = (point === 'hold' && orderId === 'o-1') || (point === 'decision' && step.endsWith('/complete-o-2-r1'));
  if (dies) return Promise.reject(new Error('died'));
  return orders.handle(...args);
}
