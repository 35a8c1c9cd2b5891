import { randomUUID } from 'node:crypto';
import { fold, orderDecider, OrderEvent, PlacedOrder, refundAllowance, refundLedgerDecider, RefundLedgerEvent } from '@app/domain';
import { given, givenCustomer, inMemoryOrdering } from '../../../../libs/ordering/testing/in-memory-ordering';
import { provisionedReservation } from '../../../../libs/domain/testing/reservation.fixture';
import { RequestContext } from '../http/request-context';
import { CancelReservationHandler, CancelReservationCommand } from './cancel-reservation/cancel-reservation.command';
import { MergeReservationsCommand, MergeReservationsHandler } from './merge-reservations/merge-reservations.command';
import { RefundQuotes } from './refund-quote/refund-quote';
import { SplitReservationCommand, SplitReservationHandler } from './split-reservation/split-reservation.command';

const now = new Date().toISOString();
const request = (partnerId = 'partner-contoso'): RequestContext => ({
  caller: { partnerId, client: 'spec' },
  partnerId,
  actor: `${partnerId}/spec`,
  correlationId: randomUUID(),
  commandId: randomUUID(),
  now,
  newId: () => randomUUID(),
});

/** A reservation order as fulfilment leaves it, holding one reservation per quantity given. */
async function orderWith(ordering: ReturnType<typeof inMemoryOrdering>, orderId: string, quantities: number[]) {
  const expiryDate = new Date(Date.now() + 300 * 86_400_000).toISOString();
  const reservations = quantities.map((quantity, i) =>
    provisionedReservation({
      reservationId: `${orderId}-r${i + 1}`,
      orderId,
      lineNumber: i + 1,
      partnerId: 'partner-contoso',
      quantity,
      effectiveDate: now,
      expiryDate,
    }),
  );
  const line = {
    lineId: 'l',
    catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
    armSkuName: 'Standard_D4s_v5',
    region: 'westeurope',
    term: 'P1Y' as const,
    billingPlan: 'Upfront' as const,
    subscriptionId: 's-1',
    unitPriceUsd: 1_000,
  };
  const events: OrderEvent[] = [
    {
      type: 'OrderPlaced',
      data: {
        orderId,
        orderNumber: `RO-${orderId}`,
        cartId: 'cart',
        customerId: 'c-1',
        partnerId: 'partner-contoso',
        lines: quantities.map((quantity, i) => ({ ...line, quantity, lineNumber: i + 1, totalUsd: quantity * 1_000 })),
        scope: { type: 'shared' },
        billingPlan: 'Upfront',
        currency: 'USD',
        totalUsd: 1,
        placedAt: now,
      },
    },
    ...reservations.flatMap((data): OrderEvent[] => [
      { type: 'OrderLineProvisioningStarted', data: { orderId, lineNumber: data.lineNumber, reservationId: data.reservationId, startedAt: now } },
      { type: 'ReservationProvisioned', data },
    ]),
  ];
  await given(ordering.store, `order-${orderId}`, events);
  return reservations.map((r) => r.reservationId);
}

async function setup() {
  const ordering = inMemoryOrdering();
  await givenCustomer(ordering.store);
  const quotes = new RefundQuotes(ordering.orders, ordering.streams, ordering.catalog);
  const order = async (orderId: string) =>
    fold(
      orderDecider,
      (await ordering.store.readStream(`order-${orderId}`)).map((e) => ({ type: e.type, data: e.data }) as OrderEvent),
    ) as PlacedOrder;
  const ledger = async () =>
    fold(
      refundLedgerDecider,
      (await ordering.store.readStream('refund-ledger-c-1')).map((e) => ({ type: e.type, data: e.data }) as RefundLedgerEvent),
    );
  return {
    ...ordering,
    order,
    ledger,
    cancel: new CancelReservationHandler(ordering.streams, quotes, ordering.settlement),
    split: new SplitReservationHandler(ordering.orders),
    merge: new MergeReservationsHandler(ordering.orders),
  };
}

describe('reservation command handlers (on the in-memory store)', () => {
  it('race: three cancellations of one reservation at once count one refund; the ledger equals the order', async () => {
    const s = await setup();
    const [id] = await orderWith(s, 'o-1', [1]);
    const answers = await Promise.allSettled([1, 2, 3].map(() => s.cancel.execute(new CancelReservationCommand(id, request()))));
    expect(answers.filter((a) => a.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const refused of answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected'))
      expect(refused.reason.code).toBe('RESERVATION_NOT_ACTIVE');
    const cancelled = (await s.order('o-1')).reservations[id];
    const ledger = await s.ledger();
    expect(ledger.refunds).toHaveLength(1);
    expect(ledger.refunds[0]).toMatchObject({ cancellationId: cancelled.cancellationId, reservationId: id });
    expect(refundAllowance(ledger, now).usedUsd).toBe(ledger.refunds[0].amountUsd);
  });

  it('race: a cancellation racing a split — units are conserved and the ledger counts only a return that happened', async () => {
    const s = await setup();
    const [id] = await orderWith(s, 'o-1', [2]);
    await Promise.allSettled([
      s.cancel.execute(new CancelReservationCommand(id, request())),
      s.split.execute(new SplitReservationCommand(id, [1, 1], request())),
    ]);
    const order = await s.order('o-1');
    const reservations = Object.values(order.reservations);
    const active = reservations.filter((r) => r.status === 'Succeeded').reduce((t, r) => t + r.quantity, 0);
    const returned = reservations.filter((r) => r.status === 'Cancelled').reduce((t, r) => t + r.quantity, 0);
    expect(active + returned).toBe(2);
    const ledger = await s.ledger();
    expect(ledger.refunds.map((r) => r.cancellationId)).toEqual(reservations.filter((r) => r.status === 'Cancelled').map((r) => r.cancellationId));
  });

  it('refuses to merge reservations of two reservation orders with 422 MERGE_ACROSS_ORDERS, writing nothing', async () => {
    const s = await setup();
    const [a] = await orderWith(s, 'o-1', [1]);
    const [b] = await orderWith(s, 'o-2', [1]);
    const before = s.store.events().length;
    await expect(s.merge.execute(new MergeReservationsCommand([a, b], request()))).rejects.toMatchObject({ code: 'MERGE_ACROSS_ORDERS' });
    expect(s.store.events()).toHaveLength(before);
  });

  it('answers another partner’s reservation as not found', async () => {
    const s = await setup();
    const [id] = await orderWith(s, 'o-1', [2]);
    await expect(s.split.execute(new SplitReservationCommand(id, [1, 1], request('partner-fabrikam')))).rejects.toMatchObject({
      code: 'RESERVATION_NOT_FOUND',
    });
  });
});
