import { randomUUID } from 'node:crypto';
import {
  countedUsd,
  fold,
  orderDecider,
  OrderEvent,
  PlacedOrder,
  refundAllowance,
  refundLedgerDecider,
  RefundLedgerEvent,
} from '@app/domain';
import { Exchanges } from '@app/ordering';
import { given, givenCustomer, inMemoryOrdering } from '../../../../libs/ordering/testing/in-memory-ordering';
import { orderLine, orderPlaced, provisionedOrder } from '../../../../libs/domain/testing/order.fixture';
import { provisionedReservation } from '../../../../libs/domain/testing/reservation.fixture';
import { RequestContext } from '../http/request-context';
import { CancelReservationHandler, CancelReservationCommand } from './cancel-reservation/cancel-reservation.command';
import {
  ExchangeReservationCommand,
  ExchangeReservationHandler,
} from './exchange-reservation/exchange-reservation.command';
import { MergeReservationsCommand, MergeReservationsHandler } from './merge-reservations/merge-reservations.command';
import { RefundQuotes } from './refund-quotes';
import { ReservationReturns } from './reservation-returns';
import { ReturnReservationCommand, ReturnReservationHandler } from './return-reservation/return-reservation.command';
import { SplitReservationCommand, SplitReservationHandler } from './split-reservation/split-reservation.command';

/** A set day, before the exchange policy of 2027-02-01 (so reservations bought on it may be exchanged): never the day the spec runs. */
const now = '2026-11-05T10:00:00.000Z';
const request = (partnerId = 'partner-contoso'): RequestContext => ({
  caller: { partnerId, client: 'spec', role: 'writer' },
  partnerId,
  actor: `${partnerId}/spec`,
  correlationId: randomUUID(),
  commandId: randomUUID(),
  now,
  newId: () => randomUUID(),
});

/** A request with an Idempotency-Key: the ids it derives name the key, as the real context's do. */
const withKey = (key: string, overrides: Partial<RequestContext> = {}): RequestContext => ({
  ...request(),
  idempotencyKey: key,
  newId: (purpose) => `${purpose}-${key}`,
  ...overrides,
});

/** A reservation order as fulfilment leaves it, holding one reservation per quantity given. */
async function orderWith(ordering: ReturnType<typeof inMemoryOrdering>, orderId: string, quantities: number[]) {
  const expiryDate = new Date(Date.parse(now) + 300 * 86_400_000).toISOString();
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
  const placed = orderPlaced({
    orderId,
    orderNumber: `RO-${orderId}`,
    cartId: 'cart',
    partnerId: 'partner-contoso',
    lines: quantities.map((quantity, i) => orderLine(i + 1, { lineId: 'l', quantity })),
    placedAt: now,
  });
  await given(ordering.store, `order-${orderId}`, provisionedOrder(placed, reservations));
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
      (await ordering.store.readStream('refund-ledger-c-1')).map(
        (e) => ({ type: e.type, data: e.data }) as RefundLedgerEvent,
      ),
    );
  return {
    ...ordering,
    order,
    ledger,
    cancel: new CancelReservationHandler(new ReservationReturns(ordering.streams, quotes, ordering.settlement)),
    give: new ReturnReservationHandler(new ReservationReturns(ordering.streams, quotes, ordering.settlement)),
    split: new SplitReservationHandler(ordering.orders),
    exchange: new ExchangeReservationHandler(
      ordering.orders,
      new Exchanges(ordering.orders, ordering.streams, ordering.catalog),
    ),
    /** A return whose process dies once the ledger has its refund, before the reservation order is changed. */
    dying: new ReturnReservationHandler(
      new ReservationReturns(ordering.streams, quotes, {
        settle: () => Promise.reject(new Error('killed after the ledger append')),
      } as never),
    ),
    merge: new MergeReservationsHandler(ordering.orders),
  };
}

describe('reservation command handlers (on the in-memory store)', () => {
  it('race: three cancellations of one reservation at once count one refund; the ledger equals the order', async () => {
    const s = await setup();
    const [id] = await orderWith(s, 'o-1', [1]);
    const answers = await Promise.allSettled(
      [1, 2, 3].map(() => s.cancel.execute(new CancelReservationCommand(id, request()))),
    );
    expect(answers.filter((a) => a.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const refused of answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected'))
      expect(refused.reason.code).toBe('RESERVATION_NOT_ACTIVE');
    const cancelled = (await s.order('o-1')).reservations[id];
    const ledger = await s.ledger();
    expect(ledger.refunds).toHaveLength(1);
    expect(ledger.refunds[0]).toMatchObject({ cancellationId: cancelled.cancellationId, reservationId: id });
    // The fixture is billed monthly: what counts is its cancelled commitment, not only the money refunded.
    expect(refundAllowance(ledger, now).usedUsd).toBe(countedUsd(ledger.refunds[0]));
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
    expect(ledger.refunds.map((r) => r.cancellationId)).toEqual(
      reservations.filter((r) => r.status === 'Cancelled').map((r) => r.cancellationId),
    );
  });

  describe('returns of part of a reservation', () => {
    /** What the order says was returned and refunded, against the ledger: they must agree, and units must be conserved. */
    async function accounts(s: Awaited<ReturnType<typeof setup>>, id: string, bought: number) {
      const reservation = (await s.order('o-1')).reservations[id];
      const ledger = await s.ledger();
      const returnedUnits = (reservation.returns ?? []).reduce((total, r) => total + r.quantity, 0);
      const cancelledUnits = reservation.status === 'Cancelled' ? reservation.quantity : 0;
      const activeUnits = reservation.status === 'Succeeded' ? reservation.quantity : 0;
      expect(activeUnits + returnedUnits + cancelledUnits).toBe(bought);
      const settled = [
        ...(reservation.returns ?? []).map((r) => r.cancellationId),
        ...(reservation.cancellationId ? [reservation.cancellationId] : []),
      ];
      expect(ledger.refunds.map((r) => r.cancellationId).sort()).toEqual(settled.sort());
      return { reservation, ledger };
    }

    it('returns 1 of 3: the rest stays active with 2, and the refund is the quoted value of 1 unit', async () => {
      const s = await setup();
      const [id] = await orderWith(s, 'o-1', [3]);
      const answer = await s.give.execute(new ReturnReservationCommand(id, 1, request()));
      expect({ state: answer.provisioningState, quantity: answer.quantity }).toEqual({
        state: 'Succeeded',
        quantity: 2,
      });
      const { ledger } = await accounts(s, id, 3);
      expect(ledger.refunds).toEqual([
        expect.objectContaining({ kind: 'return', quantity: 1, cancellationId: `${id}/return-at-2` }),
      ]);
      const whole = await new RefundQuotes(s.orders, s.streams, s.catalog).quote(id, 'partner-contoso', now);
      // The value of 1 unit is half of what the 2 left would refund (to the cent, rounded down).
      expect(Math.abs(ledger.refunds[0].amountUsd * 2 - whole.quote.refundUsd)).toBeLessThanOrEqual(0.01);
    });

    it('race: two identical returns at once return once; both answer the one return', async () => {
      const s = await setup();
      const [id] = await orderWith(s, 'o-1', [3]);
      const answers = await Promise.all(
        [1, 2].map(() => s.give.execute(new ReturnReservationCommand(id, 1, request()))),
      );
      expect(answers.map((a) => a.quantity)).toEqual([2, 2]);
      const { ledger } = await accounts(s, id, 3);
      expect(ledger.refunds).toHaveLength(1);
    });

    it('race: returns of 1 and of 2 at once: one happens, the other is refused 409 RETURN_IN_PROGRESS and refunds nothing', async () => {
      const s = await setup();
      const [id] = await orderWith(s, 'o-1', [3]);
      const answers = await Promise.allSettled(
        [1, 2].map((quantity) => s.give.execute(new ReturnReservationCommand(id, quantity, request()))),
      );
      expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      expect(answers.flatMap((a) => (a.status === 'rejected' ? [a.reason.code] : []))).toEqual(['RETURN_IN_PROGRESS']);
      const { ledger } = await accounts(s, id, 3);
      expect(ledger.refunds).toHaveLength(1);
    });

    it('race: a return and a cancellation at once: units are conserved and the ledger counts only what happened', async () => {
      const s = await setup();
      const [id] = await orderWith(s, 'o-1', [3]);
      await Promise.allSettled([
        s.give.execute(new ReturnReservationCommand(id, 1, request())),
        s.cancel.execute(new CancelReservationCommand(id, request())),
      ]);
      await accounts(s, id, 3);
    });

    describe('retry after the process died between the ledger and the reservation order', () => {
      /** The same request sent again: a new command id, the same If-Match and Idempotency-Key. */
      const again = (first: RequestContext): RequestContext => ({
        ...first,
        commandId: randomUUID(),
        correlationId: randomUUID(),
      });

      it('with the same If-Match, before anything settled the first: one return, one refund', async () => {
        const s = await setup();
        const [id] = await orderWith(s, 'o-1', [3]);
        const first = { ...request(), expectedRevision: 2n };
        await expect(s.dying.execute(new ReturnReservationCommand(id, 1, first))).rejects.toThrow(
          'killed after the ledger append',
        );
        const answer = await s.give.execute(new ReturnReservationCommand(id, 1, again(first)));
        expect(answer.quantity).toBe(2);
        const { ledger, reservation } = await accounts(s, id, 3);
        expect(ledger.refunds).toHaveLength(1);
        expect(reservation.returns).toHaveLength(1);
      });

      it('with the same Idempotency-Key, after the settlement reactor finished the first: the first return answered again, no second', async () => {
        const s = await setup();
        const [id] = await orderWith(s, 'o-1', [3]);
        const first = withKey('k-1');
        await expect(s.dying.execute(new ReturnReservationCommand(id, 2, first))).rejects.toThrow(
          'killed after the ledger append',
        );
        // The reactor finishes it from RefundRecorded, as it does after a crash.
        const [recorded] = (await s.ledger()).refunds;
        await s.settlement.settle('c-1', { ...recorded, orderId: 'o-1' }, request());
        const answer = await s.give.execute(new ReturnReservationCommand(id, 2, again(first)));
        expect(answer.quantity).toBe(1);
        const { ledger, reservation } = await accounts(s, id, 3);
        expect(ledger.refunds.map((refund) => refund.cancellationId)).toEqual([`${id}/return-return-k-1`]);
        expect(reservation.returns).toHaveLength(1);
      });
    });

    it('race: returns sent with the same If-Match return once, whatever Idempotency-Keys they carry', async () => {
      const s = await setup();
      const [id] = await orderWith(s, 'o-1', [3]);
      const sent = ['k-1', 'k-2'].map((key) => withKey(key, { expectedRevision: 2n }));
      const answers = await Promise.allSettled(
        sent.map((context) => s.give.execute(new ReturnReservationCommand(id, 1, context))),
      );
      expect(answers.filter((answer) => answer.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
      const { ledger, reservation } = await accounts(s, id, 3);
      expect(ledger.refunds).toHaveLength(1);
      expect(reservation.quantity).toBe(2);
    });

    it('refuses a key resent with another quantity after its return was recorded (422 IDEMPOTENCY_KEY_MISMATCH), returning nothing more', async () => {
      const s = await setup();
      const [id] = await orderWith(s, 'o-1', [3]);
      const context = withKey('k-9');
      await expect(s.dying.execute(new ReturnReservationCommand(id, 2, context))).rejects.toThrow(
        'killed after the ledger append',
      );
      await expect(
        s.give.execute(new ReturnReservationCommand(id, 1, { ...context, commandId: randomUUID() })),
      ).rejects.toMatchObject({
        code: 'IDEMPOTENCY_KEY_MISMATCH',
      });
      expect((await s.ledger()).refunds.map((refund) => refund.quantity)).toEqual([2]);
    });

    it('an exchange sent again with the same Idempotency-Key after it happened (its answer lost) answers it again and exchanges nothing more', async () => {
      const s = await setup();
      const [id] = await orderWith(s, 'o-1', [3]);
      const context = withKey('x-1');
      const exchange = { catalogItemId: 'ri-standard_d8s_v5-westeurope-p1y', quantity: 2 };
      const first = await s.exchange.execute(new ExchangeReservationCommand(id, exchange, context));
      const repeated = await s.exchange.execute(
        new ExchangeReservationCommand(id, exchange, { ...context, commandId: randomUUID() }),
      );
      expect(repeated.reservation.reservationId).toBe(first.reservation.reservationId);
      const order = await s.order('o-1');
      expect(order.reservations[id].status).toBe('Exchanged');
      expect(Object.values(order.reservations).filter((r) => r.origin?.type === 'exchange')).toHaveLength(1);
    });

    it('refuses to return more than it holds with 422 RETURN_QUANTITY_INVALID, writing nothing; all of it is a cancellation', async () => {
      const s = await setup();
      const [id] = await orderWith(s, 'o-1', [3]);
      await expect(s.give.execute(new ReturnReservationCommand(id, 4, request()))).rejects.toMatchObject({
        code: 'RETURN_QUANTITY_INVALID',
      });
      expect((await s.ledger()).refunds).toEqual([]);
      const answer = await s.give.execute(new ReturnReservationCommand(id, 3, request()));
      expect(answer.provisioningState).toBe('Cancelled');
      await accounts(s, id, 3);
    });
  });

  it('refuses to merge reservations of two reservation orders with 422 MERGE_ACROSS_ORDERS, writing nothing', async () => {
    const s = await setup();
    const [a] = await orderWith(s, 'o-1', [1]);
    const [b] = await orderWith(s, 'o-2', [1]);
    const before = s.store.events().length;
    await expect(s.merge.execute(new MergeReservationsCommand([a, b], request()))).rejects.toMatchObject({
      code: 'MERGE_ACROSS_ORDERS',
    });
    expect(s.store.events()).toHaveLength(before);
  });

  it('answers another partner’s reservation as not found', async () => {
    const s = await setup();
    const [id] = await orderWith(s, 'o-1', [2]);
    await expect(
      s.split.execute(new SplitReservationCommand(id, [1, 1], request('partner-fabrikam'))),
    ).rejects.toMatchObject({
      code: 'RESERVATION_NOT_FOUND',
    });
  });
});
