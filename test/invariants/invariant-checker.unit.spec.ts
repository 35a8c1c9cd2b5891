/** The checker itself: it must see each kind of violation it claims to (a checker that cannot fail proves nothing). */
import {
  ActiveReservation,
  CartLine,
  expiryFor,
  fold,
  monthlyCancellation,
  OrderCommand,
  orderDecider,
  OrderEvent,
  PlacedOrder,
  RefundLedgerCommand,
  refundLedgerDecider,
  RefundLedgerEvent,
  refundQuote,
} from '@app/domain';
import { provisionedReservation } from '../../libs/domain/testing/reservation.fixture';
import { moneyViolations, StoredEvent } from './invariant-checker';

const now = '2026-11-25T12:00:00.000Z';
const LEDGER = 'refund-ledger-c-1';

const event = (streamId: string, type: string, data: Record<string, unknown>): StoredEvent => ({
  streamId,
  type,
  data,
});
const monthsAfter = (iso: string, months: number) => {
  const date = new Date(iso);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString();
};
const hoursAfter = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000).toISOString();

const line = (lineNumber: number, quantity: number, unitPriceUsd: number, billingPlan = 'Monthly') => ({
  lineId: `l-${lineNumber}`,
  catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
  armSkuName: 'Standard_D4s_v5',
  region: 'westeurope',
  term: 'P1Y',
  billingPlan,
  quantity,
  subscriptionId: 's-1',
  unitPriceUsd,
  lineNumber,
  totalUsd: quantity * unitPriceUsd,
});

/** A cart purchased as an order, placed, every line provisioned as `reservationIds` says. */
function placed(
  orderId: string,
  orderNumber: string,
  lines: Array<ReturnType<typeof line>>,
  reservationIds: string[],
  at: string,
): StoredEvent[] {
  const stream = `order-${orderId}`;
  const billingPlan = lines[0].billingPlan;
  return [
    event(`cart-${orderId}`, 'CartPurchased', { cartId: `cart-${orderId}`, orderId, orderNumber, purchasedAt: at }),
    event(stream, 'OrderPlaced', {
      orderId,
      orderNumber,
      cartId: `cart-${orderId}`,
      customerId: 'c-1',
      partnerId: 'p-1',
      lines,
      scope: { type: 'shared' },
      billingPlan,
      currency: 'USD',
      totalUsd: lines.reduce((total, l) => total + l.totalUsd, 0),
      placedAt: at,
    }),
    ...lines.map((l, i) =>
      event(stream, 'OrderLineProvisioningStarted', {
        orderId,
        lineNumber: l.lineNumber,
        reservationId: reservationIds[i],
        startedAt: at,
      }),
    ),
  ];
}

const provisioned = (streamId: string, overrides: Parameters<typeof provisionedReservation>[0]) =>
  event(streamId, 'ReservationProvisioned', { ...provisionedReservation(overrides) });

const payment = (
  streamId: string,
  reservationId: string,
  paymentNumber: number,
  amountUsd: number,
  dueAt: string,
  recordedAt = dueAt,
) =>
  event(streamId, 'ReservationPaymentRecorded', {
    reservationId,
    customerId: 'c-1',
    paymentNumber,
    amountUsd,
    dueAt,
    recordedAt,
  });

const refund = (
  cancellationId: string,
  reservationId: string,
  orderId: string,
  amountUsd: number,
  countedUsd: number,
  refundedAt: string,
  kind = 'cancellation',
) =>
  event(LEDGER, 'RefundRecorded', {
    customerId: 'c-1',
    cancellationId,
    reservationId,
    orderId,
    amountUsd,
    kind,
    countedUsd,
    refundedAt,
  });

const cancelled = (
  streamId: string,
  reservationId: string,
  cancellationId: string,
  refundUsd: number,
  cancelledAt: string,
) =>
  event(streamId, 'ReservationCancelled', { reservationId, customerId: 'c-1', cancellationId, refundUsd, cancelledAt });

// RO-0: one VM bought monthly in 2025 at USD 1,210, which ran its term: twelve payments of USD 100.83, the last USD 100.87.
const E0 = '2025-01-15T09:00:00.000Z';
const X0 = '2026-01-15T09:00:00.000Z';
const ro0 = (): StoredEvent[] => [
  ...placed('o-0', 'RO-0', [line(1, 1, 1_210)], ['r-0'], E0),
  provisioned('order-o-0', {
    reservationId: 'r-0',
    orderId: 'o-0',
    orderNumber: 'RO-0',
    quantity: 1,
    unitPriceUsd: 1_210,
    effectiveDate: E0,
    expiryDate: X0,
  }),
  ...Array.from({ length: 12 }, (_, i) => {
    const dueAt = monthsAfter(E0, i);
    return payment(
      'order-o-0',
      'r-0',
      i + 1,
      i === 11 ? 100.87 : 100.83,
      dueAt,
      i === 0 ? dueAt : hoursAfter(dueAt, 3),
    );
  }),
  event('order-o-0', 'OrderCompleted', { orderId: 'o-0', reservationIds: ['r-0'], completedAt: E0 }),
  event('order-o-0', 'ReservationExpired', { reservationId: 'r-0', expiredAt: X0 }),
];

// RO-1: 4 + 2 VMs bought monthly at USD 1,200 (USD 100 a VM a month); r-1 split 1 + 3, its 1 merged with r-2's 2 into r-m,
// one of the 3 returned, r-m cancelled, and r-1b's last 2 exchanged for one bigger VM, x-1.
const E1 = '2026-01-10T10:00:05.000Z';
const X1 = '2027-01-10T10:00:05.000Z';
const SPLIT = '2026-02-20T08:00:00.000Z';
const MERGE = '2026-03-05T08:00:00.000Z';
const RETURN = '2026-03-15T08:00:00.000Z';
const CANCEL = '2026-04-20T08:00:00.000Z';
const EXCHANGE = '2026-05-01T08:00:00.000Z';
const o1 = 'order-o-1';
const part = (reservationId: string, quantity: number, type: 'split' | 'merge', sources: string[], at: string) =>
  provisioned(o1, {
    reservationId,
    orderNumber: 'RO-1',
    quantity,
    unitPriceUsd: 1_200,
    effectiveDate: at,
    expiryDate: X1,
    origin: { type, reservationIds: sources },
    payments: { startDate: E1, recorded: 2 },
  });
const exchanged = (overrides: Record<string, unknown> = {}) =>
  event(o1, 'ReservationExchanged', {
    reservationId: 'r-1b',
    customerId: 'c-1',
    exchangeId: 'r-1b/exchange-1',
    quantity: 2,
    remainingQuantity: 0,
    returnedValueUsd: 1_640,
    newReservationId: 'x-1',
    newCommitmentUsd: 3_000,
    exchangedAt: EXCHANGE,
    ...overrides,
  });
const boughtByExchange = (overrides: Parameters<typeof provisionedReservation>[0] = {}) =>
  provisioned(o1, {
    reservationId: 'x-1',
    orderNumber: 'RO-1',
    catalogItemId: 'ri-standard_d8s_v5-westeurope-p1y',
    armSkuName: 'Standard_D8s_v5',
    ratio: 4,
    quantity: 1,
    unitPriceUsd: 3_000,
    effectiveDate: EXCHANGE,
    expiryDate: '2027-05-01T08:00:00.000Z',
    origin: { type: 'exchange', reservationIds: ['r-1b'] },
    ...overrides,
  });
const ro1 = (): StoredEvent[] => [
  ...placed('o-1', 'RO-1', [line(1, 4, 1_200), line(2, 2, 1_200)], ['r-1', 'r-2'], E1),
  provisioned(o1, {
    reservationId: 'r-1',
    orderNumber: 'RO-1',
    quantity: 4,
    unitPriceUsd: 1_200,
    effectiveDate: E1,
    expiryDate: X1,
  }),
  payment(o1, 'r-1', 1, 400, E1),
  provisioned(o1, {
    reservationId: 'r-2',
    orderNumber: 'RO-1',
    lineNumber: 2,
    quantity: 2,
    unitPriceUsd: 1_200,
    effectiveDate: E1,
    expiryDate: X1,
  }),
  payment(o1, 'r-2', 1, 200, E1),
  event(o1, 'OrderCompleted', { orderId: 'o-1', reservationIds: ['r-1', 'r-2'], completedAt: E1 }),
  payment(o1, 'r-1', 2, 400, monthsAfter(E1, 1), hoursAfter(monthsAfter(E1, 1), 3)),
  payment(o1, 'r-2', 2, 200, monthsAfter(E1, 1), hoursAfter(monthsAfter(E1, 1), 3)),
  event(o1, 'ReservationSplit', {
    reservationId: 'r-1',
    into: [
      { reservationId: 'r-1a', quantity: 1 },
      { reservationId: 'r-1b', quantity: 3 },
    ],
    splitAt: SPLIT,
  }),
  part('r-1a', 1, 'split', ['r-1'], SPLIT),
  part('r-1b', 3, 'split', ['r-1'], SPLIT),
  event(o1, 'ReservationMerged', { reservationId: 'r-1a', into: 'r-m', mergedWith: ['r-1a', 'r-2'], mergedAt: MERGE }),
  event(o1, 'ReservationMerged', { reservationId: 'r-2', into: 'r-m', mergedWith: ['r-1a', 'r-2'], mergedAt: MERGE }),
  part('r-m', 3, 'merge', ['r-1a', 'r-2'], MERGE),
  payment(o1, 'r-1b', 3, 300, monthsAfter(E1, 2), hoursAfter(monthsAfter(E1, 2), 3)),
  payment(o1, 'r-m', 3, 300, monthsAfter(E1, 2), hoursAfter(monthsAfter(E1, 2), 3)),
  refund('r-1b/return-1', 'r-1b', 'o-1', 40, 980, RETURN, 'return'),
  event(o1, 'ReservationQuantityReturned', {
    reservationId: 'r-1b',
    customerId: 'c-1',
    cancellationId: 'r-1b/return-1',
    quantity: 1,
    remainingQuantity: 2,
    refundUsd: 40,
    returnedAt: RETURN,
  }),
  payment(o1, 'r-1b', 4, 200, monthsAfter(E1, 3), hoursAfter(monthsAfter(E1, 3), 3)),
  payment(o1, 'r-m', 4, 300, monthsAfter(E1, 3), hoursAfter(monthsAfter(E1, 3), 3)),
  refund('r-m/cancellation-1', 'r-m', 'o-1', 100, 2_400, CANCEL),
  cancelled(o1, 'r-m', 'r-m/cancellation-1', 100, CANCEL),
  exchanged(),
  boughtByExchange(),
  ...Array.from({ length: 7 }, (_, i) =>
    payment(
      o1,
      'x-1',
      i + 1,
      250,
      monthsAfter(EXCHANGE, i),
      i === 0 ? EXCHANGE : hoursAfter(monthsAfter(EXCHANGE, i), 3),
    ),
  ),
];

// RO-2: paid upfront. Line 1, 2 VMs at USD 1,000, records its payment as it is bought and is split 1 + 1 (the parts take no payment);
// line 2, 2 VMs at USD 1,500, recorded no payment (as reservations bought before payments were recorded). One part and line 2 are cancelled,
// line 2 after a first cancellation was reversed.
const E2 = '2026-06-01T12:00:00.000Z';
const X2 = '2027-06-01T12:00:00.000Z';
const o2 = 'order-o-2';
const upfront = { orderId: 'o-2', orderNumber: 'RO-2', billingPlan: 'Upfront' as const, expiryDate: X2 };
const upfrontPart = (reservationId: string) =>
  provisioned(o2, {
    ...upfront,
    reservationId,
    quantity: 1,
    unitPriceUsd: 1_000,
    effectiveDate: '2026-07-01T12:00:00.000Z',
    origin: { type: 'split', reservationIds: ['s-1'] },
    payments: { startDate: E2, recorded: 1 },
  });
const ro2 = (): StoredEvent[] => [
  ...placed('o-2', 'RO-2', [line(1, 2, 1_000, 'Upfront'), line(2, 2, 1_500, 'Upfront')], ['s-1', 's-2'], E2),
  provisioned(o2, { ...upfront, reservationId: 's-1', quantity: 2, unitPriceUsd: 1_000, effectiveDate: E2 }),
  payment(o2, 's-1', 1, 2_000, E2),
  provisioned(o2, {
    ...upfront,
    reservationId: 's-2',
    lineNumber: 2,
    quantity: 2,
    unitPriceUsd: 1_500,
    effectiveDate: E2,
  }),
  event(o2, 'OrderCompleted', { orderId: 'o-2', reservationIds: ['s-1', 's-2'], completedAt: E2 }),
  event(o2, 'ReservationSplit', {
    reservationId: 's-1',
    into: [
      { reservationId: 's-1a', quantity: 1 },
      { reservationId: 's-1b', quantity: 1 },
    ],
    splitAt: '2026-07-01T12:00:00.000Z',
  }),
  upfrontPart('s-1a'),
  upfrontPart('s-1b'),
  refund('s-1a/cancellation-1', 's-1a', 'o-2', 830, 830, '2026-08-01T12:00:00.000Z'),
  cancelled(o2, 's-1a', 's-1a/cancellation-1', 830, '2026-08-01T12:00:00.000Z'),
  refund('s-2/cancellation-1', 's-2', 'o-2', 2_250, 2_250, '2026-09-01T12:00:00.000Z'),
  event(LEDGER, 'RefundReversed', {
    customerId: 'c-1',
    reservationId: 's-2',
    cancellationId: 's-2/cancellation-1',
    reason: 'the reservation changed',
    reversedAt: '2026-09-01T12:00:01.000Z',
  }),
  refund('s-2/cancellation-2', 's-2', 'o-2', 2_200, 2_200, '2026-09-02T12:00:00.000Z'),
  cancelled(o2, 's-2', 's-2/cancellation-2', 2_200, '2026-09-02T12:00:00.000Z'),
];

/** Every kind of change, consistent: each bad history below is this one with one thing wrong. */
const clean = (): StoredEvent[] => [...ro0(), ...ro1(), ...ro2()];

const isEvent =
  (type: string, match: Record<string, unknown> = {}) =>
  (e: StoredEvent) =>
    e.type === type && Object.entries(match).every(([key, value]) => e.data[key] === value);
/** The clean history with the events that match changed (or dropped, when `change` gives undefined). */
const changed = (
  match: (e: StoredEvent) => boolean,
  change: (e: StoredEvent) => StoredEvent | undefined,
  events = clean(),
): StoredEvent[] => {
  expect(events.some(match)).toBe(true);
  return events.flatMap((e) => (match(e) ? [change(e)].filter((c): c is StoredEvent => c !== undefined) : [e]));
};
const withData = (data: Record<string, unknown>) => (e: StoredEvent) => ({ ...e, data: { ...e.data, ...data } });
/** The clean history with `extra` right after the first event that matches. */
const inserted = (match: (e: StoredEvent) => boolean, ...extra: StoredEvent[]) => {
  const events = clean();
  const at = events.findIndex(match);
  expect(at).toBeGreaterThanOrEqual(0);
  return [...events.slice(0, at + 1), ...extra, ...events.slice(at + 1)];
};

describe('invariant checker', () => {
  it('finds nothing wrong in a realistic store: purchases, monthly and upfront payments, a split, a merge, a return, cancellations, an exchange', () =>
    expect(moneyViolations(clean(), now)).toEqual([]));

  it('accepts the events as they are about to be written: an exchange of several reservations in two orders, with its refund and remaining commitment', () => {
    const events = changed(
      isEvent('ReservationExchanged'),
      withData({ exchangeId: 'xc-1', refundUsd: 20, remainingCommitmentUsd: 1_640 }),
    );
    const alsoReturned = event(o2, 'ReservationExchanged', {
      reservationId: 's-1b',
      customerId: 'c-1',
      exchangeId: 'xc-1',
      quantity: 1,
      remainingQuantity: 0,
      returnedValueUsd: 700,
      remainingCommitmentUsd: 700,
      refundUsd: 700,
      newReservationId: 'x-1',
      newCommitmentUsd: 3_000,
      exchangedAt: '2026-10-01T12:00:00.000Z',
    });
    const both = changed(
      isEvent('ReservationProvisioned', { reservationId: 'x-1' }),
      () => boughtByExchange({ origin: { type: 'exchange', reservationIds: ['r-1b', 's-1b'] } }),
      [...events, alsoReturned],
    );
    expect(moneyViolations(both, now)).toEqual([]);
    // Each alone is worth less than the commitment; together they are worth more.
    expect(
      moneyViolations(
        changed(
          isEvent('ReservationExchanged', { reservationId: 's-1b' }),
          withData({ remainingCommitmentUsd: 1_500 }),
          both,
        ),
        now,
      ),
    ).toEqual(['exchange xc-1 of r-1b, s-1b: USD 3140 given back for a commitment of only USD 3000']);
  });

  describe('orders', () => {
    it('sees an order stream without its OrderPlaced', () =>
      expect(
        moneyViolations(
          [...clean(), event('order-o-9', 'OrderCancelled', { orderId: 'o-9', reason: 'x', cancelledAt: now })],
          now,
        ),
      ).toEqual(['order-o-9 holds events but no OrderPlaced']));

    it('sees an order placed twice in its stream, which a fold with the production decider would hide', () => {
      const [again] = placed(
        'o-1',
        'RO-1',
        [line(1, 4, 1_200), line(2, 2, 1_200)],
        ['r-1', 'r-2'],
        '2026-06-01T00:00:00.000Z',
      ).filter(isEvent('OrderPlaced'));
      expect(moneyViolations([...clean(), again], now)).toEqual(['order RO-1 was placed 2 times in order-o-1']);
    });

    it('sees a purchased cart that never became an order', () =>
      expect(
        moneyViolations(
          [...clean(), event('cart-c-9', 'CartPurchased', { cartId: 'c-9', orderId: 'o-9', orderNumber: 'RO-9' })],
          now,
        ),
      ).toEqual(['cart c-9 was purchased as order RO-9, which was never placed']));

    it('sees a purchased cart that became two orders', () => {
      const second = placed('o-8', 'RO-8', [line(1, 1, 1_200)], [], now)
        .filter(isEvent('OrderPlaced'))
        .map(withData({ cartId: 'cart-o-1' }));
      expect(moneyViolations([...clean(), ...second], now)).toEqual(['cart cart-o-1 became 2 orders: RO-1, RO-8']);
    });

    it('sees active units under a cancelled or a failed order', () => {
      expect(
        moneyViolations(
          [...clean(), event(o2, 'OrderCancelled', { orderId: 'o-2', reason: 'x', cancelledAt: now })],
          now,
        ),
      ).toEqual(['order RO-2 is cancelled yet holds 1 active units']);
      expect(
        moneyViolations([...clean(), event(o1, 'OrderFailed', { orderId: 'o-1', reason: 'x', failedAt: now })], now),
      ).toEqual(['order RO-1 is failed yet holds 1 active units']);
    });

    it('sees a line provisioned twice under two reservation ids', () =>
      expect(
        moneyViolations(
          [
            ...clean(),
            provisioned(o1, {
              reservationId: 'r-9',
              orderNumber: 'RO-1',
              lineNumber: 2,
              quantity: 2,
              effectiveDate: E1,
              expiryDate: X1,
            }),
          ],
          now,
        ),
      ).toEqual(['order RO-1: line 2 was provisioned 2 times: r-2, r-9']));

    it('sees a failed line that has a reservation', () =>
      expect(
        moneyViolations(
          inserted(
            isEvent('OrderLineProvisioningStarted', { orderId: 'o-2', lineNumber: 2 }),
            event(o2, 'OrderLineProvisioningFailed', {
              orderId: 'o-2',
              lineNumber: 2,
              code: 'X',
              reason: 'x',
              failedAt: E2,
            }),
          ),
          now,
        ),
      ).toEqual(['order RO-2: line 2 failed yet has reservation s-2']));

    it('sees a reservation provisioned for a line the order does not have, or with more units than the line bought', () => {
      expect(
        moneyViolations(
          [
            ...clean(),
            provisioned(o1, {
              reservationId: 'r-9',
              orderNumber: 'RO-1',
              lineNumber: 3,
              quantity: 2,
              effectiveDate: E1,
              expiryDate: X1,
            }),
          ],
          now,
        ),
      ).toEqual(['order RO-1 has no line 3, yet reservation r-9 was provisioned for it']);
      expect(
        moneyViolations(
          changed(isEvent('ReservationProvisioned', { reservationId: 's-2' }), withData({ quantity: 3 })),
          now,
        ),
      ).toEqual(['order RO-2: line 2 bought 2 units, but reservation s-2 was provisioned with 3']);
    });
  });

  describe('units', () => {
    it('sees the same ReservationProvisioned twice, which a map keyed by reservation id would collapse', () => {
      const r2 = clean().find(isEvent('ReservationProvisioned', { reservationId: 'r-2' }))!;
      expect(moneyViolations(inserted(isEvent('ReservationProvisioned', { reservationId: 'r-2' }), r2), now)).toEqual([
        'reservation r-2 (order RO-1) was provisioned again in order-o-1',
      ]);
    });

    it('sees a change to a reservation never provisioned', () =>
      expect(moneyViolations([...clean(), payment(o1, 'r-404', 1, 100, E1)], now)).toEqual([
        'ReservationPaymentRecorded in order-o-1 names reservation r-404, which was never provisioned',
      ]));

    it('sees units created from nothing: split parts of a reservation that was never split', () =>
      expect(moneyViolations([...clean(), part('r-9', 1, 'split', ['x-1'], now)], now)).toEqual([
        'reservation x-1 (order RO-1): 1 units bought, but 1 active + 0 returned + 0 exchanged away + 1 passed on to split/merge parts + 0 expired',
      ]));

    it('sees a merge that made more units than its sources passed on', () =>
      expect(
        moneyViolations(
          changed(isEvent('ReservationMerged', { reservationId: 'r-2' }), () => undefined),
          now,
        ),
      ).toEqual(['reservation r-m (order RO-1) was made by a merge with 3 units, but its sources passed on 1']));

    it('sees a part made from a reservation that was never provisioned, and a merge into one', () => {
      expect(moneyViolations([...clean(), part('r-9', 1, 'split', ['r-ghost'], now)], now)).toEqual([
        'reservation r-9 (order RO-1) was made by a split of r-ghost, which was never provisioned',
      ]);
      expect(
        moneyViolations(
          [
            ...clean(),
            event(o1, 'ReservationMerged', {
              reservationId: 'x-1',
              into: 'r-ghost',
              mergedWith: ['x-1'],
              mergedAt: now,
            }),
          ],
          now,
        ),
      ).toEqual(['reservation x-1 (order RO-1) was merged into r-ghost, which was never provisioned']);
    });

    it('sees a return that keeps another count than what was left', () =>
      expect(
        moneyViolations(changed(isEvent('ReservationQuantityReturned'), withData({ remainingQuantity: 3 })), now),
      ).toEqual(['reservation r-1b (order RO-1) returned 1 of its 3 VMs, yet kept 3']));

    it('sees a reservation active with no VMs', () =>
      expect(
        moneyViolations(
          [
            ...clean(),
            refund('s-1b/return-1', 's-1b', 'o-2', 100, 100, now, 'return'),
            event(o2, 'ReservationQuantityReturned', {
              reservationId: 's-1b',
              customerId: 'c-1',
              cancellationId: 's-1b/return-1',
              quantity: 1,
              remainingQuantity: 0,
              refundUsd: 100,
              returnedAt: now,
            }),
          ],
          now,
        ),
      ).toEqual(['reservation s-1b (order RO-2) is active with 0 VMs']));

    it('sees a reservation changed after it ended', () =>
      expect(
        moneyViolations(
          [...clean(), event(o1, 'ReservationSplit', { reservationId: 'r-m', into: [], splitAt: now })],
          now,
        ),
      ).toEqual(['reservation r-m (order RO-1) was split after it was cancelled at 2026-04-20T08:00:00.000Z']));
  });

  describe('refunds', () => {
    it('sees one reservation cancelled twice under two cancellation ids, both refunds in the ledger', () =>
      expect(
        moneyViolations(
          [
            ...clean(),
            refund('r-m/cancellation-2', 'r-m', 'o-1', 100, 2_400, '2026-04-20T09:00:00.000Z'),
            cancelled(o1, 'r-m', 'r-m/cancellation-2', 100, '2026-04-20T09:00:00.000Z'),
          ],
          now,
        ),
      ).toEqual(['reservation r-m (order RO-1) was cancelled twice: r-m/cancellation-1, then r-m/cancellation-2']));

    it('sees a return made twice', () => {
      const returned = clean().find(isEvent('ReservationQuantityReturned'))!;
      expect(moneyViolations(inserted(isEvent('ReservationQuantityReturned'), returned), now)).toEqual([
        'reservation r-1b (order RO-1) has return r-1b/return-1 made twice',
      ]);
    });

    it('sees a cancellation without a cancellation id', () => {
      const legacy = changed(
        isEvent('ReservationCancelled', { reservationId: 's-2' }),
        withData({ cancellationId: undefined }),
      );
      const events = changed(
        isEvent('RefundRecorded', { cancellationId: 's-2/cancellation-2' }),
        withData({ cancellationId: undefined }),
        legacy,
      );
      expect(moneyViolations(events, now)).toEqual([
        'reservation s-2 (order RO-2) was cancelled without a cancellation id',
      ]);
    });

    it('sees a USD 40,000 refund on a USD 3,000 reservation, and an exchange that credits more than was paid', () => {
      const events = changed(
        isEvent('ReservationCancelled', { reservationId: 's-2' }),
        withData({ refundUsd: 40_000 }),
      );
      expect(
        moneyViolations(
          changed(
            isEvent('RefundRecorded', { cancellationId: 's-2/cancellation-2' }),
            withData({ amountUsd: 40_000, countedUsd: 40_000 }),
            events,
          ),
          now,
        ),
      ).toEqual(['reservation s-2 (order RO-2) was refunded USD 40000, more than the USD 3000 paid for it']);
      // r-1b: its sources paid USD 600 for its 3 VMs, it paid USD 300 and USD 200, and USD 40 came back with the return.
      expect(moneyViolations(changed(isEvent('ReservationExchanged'), withData({ refundUsd: 1_061 })), now)).toEqual([
        'reservation r-1b (order RO-1) was refunded USD 1101, more than the USD 1100 paid for it',
      ]);
    });

    it('sees a refund the ledger lost, one it counts for a return that never happened, and one at another amount', () => {
      expect(
        moneyViolations(
          changed(isEvent('RefundRecorded', { cancellationId: 'r-1b/return-1' }), () => undefined),
          now,
        ),
      ).toEqual(['reservation r-1b (order RO-1) was refunded under r-1b/return-1, but no ledger counts it']);
      expect(moneyViolations([...clean(), refund('r-2/cancellation-1', 'r-2', 'o-1', 50, 50, now)], now)).toEqual([
        "customer c-1's ledger counts refund r-2/cancellation-1 for reservation r-2, which was never returned under it",
      ]);
      expect(
        moneyViolations(
          changed(isEvent('RefundRecorded', { cancellationId: 'r-1b/return-1' }), withData({ amountUsd: 150 })),
          now,
        ),
      ).toEqual([
        "refund r-1b/return-1 is USD 150 in customer c-1's ledger but USD 40 on reservation r-1b (order RO-1)",
      ]);
    });

    it('sees a refund counted twice', () => {
      const counted = clean().find(isEvent('RefundRecorded', { cancellationId: 'r-m/cancellation-1' }))!;
      expect(moneyViolations([...clean(), counted], now)).toEqual([
        'refund r-m/cancellation-1 is counted 2 times, in refund-ledger-c-1, refund-ledger-c-1',
      ]);
    });

    it('sees a refund counted for another reservation, or in another customer’s ledger', () => {
      expect(
        moneyViolations(
          changed(isEvent('RefundRecorded', { cancellationId: 'r-1b/return-1' }), withData({ reservationId: 'r-1a' })),
          now,
        ),
      ).toEqual([
        "customer c-1's ledger counts refund r-1b/return-1 for reservation r-1a, but it returned reservation r-1b (order RO-1)",
      ]);
      expect(
        moneyViolations(
          changed(isEvent('RefundRecorded', { cancellationId: 'r-m/cancellation-1' }), (e) => ({
            ...e,
            streamId: 'refund-ledger-c-2',
          })),
          now,
        ),
      ).toEqual([
        "refund r-m/cancellation-1 of reservation r-m (order RO-1) is counted in customer c-2's ledger, not in its customer c-1's",
      ]);
    });

    it('sees the cap exceeded in any rolling 12 months, not only those ending now', () => {
      const events = changed(
        isEvent('RefundRecorded', { cancellationId: 'r-m/cancellation-1' }),
        withData({ countedUsd: 48_000 }),
      );
      // 980 + 48,000 + 830 + 2,200 (the reversed 2,250 does not count) by 2026-09-02; by 2027-05-01 the first two have left the window.
      const later = '2027-05-01T00:00:00.000Z';
      expect(moneyViolations(events, later)).toEqual([
        'customer c-1 was refunded USD 52010 in the 12 months to 2026-09-02T12:00:00.000Z, over the USD 50000 cap',
      ]);
      expect(moneyViolations(clean(), later)).toEqual([]);
    });
  });

  describe('exchanges', () => {
    it('sees an exchange that created value', () =>
      expect(
        moneyViolations(changed(isEvent('ReservationExchanged'), withData({ returnedValueUsd: 3_500 })), now),
      ).toEqual(['exchange r-1b/exchange-1 of r-1b: USD 3500 given back for a commitment of only USD 3000']));

    it('sees an exchange that bought nothing', () =>
      expect(
        moneyViolations(changed(isEvent('ReservationExchanged'), withData({ newReservationId: 'x-ghost' })), now),
      ).toEqual([
        'exchange r-1b/exchange-1 of r-1b bought nothing',
        'reservation x-1 (order RO-1) says an exchange of r-1b bought it, but none was exchanged for it',
      ]));

    it('sees an exchange whose commitment is not what it bought costs', () =>
      expect(
        moneyViolations(changed(isEvent('ReservationExchanged'), withData({ newCommitmentUsd: 2_000 })), now),
      ).toEqual([
        'exchange r-1b/exchange-1 of r-1b: commitment USD 2000, but reservation x-1 (order RO-1) costs USD 3000',
      ]));

    it('sees a reservation bought by an exchange that names other sources than were exchanged', () =>
      expect(
        moneyViolations(
          changed(isEvent('ReservationProvisioned', { reservationId: 'x-1' }), () =>
            boughtByExchange({ origin: { type: 'exchange', reservationIds: ['r-1b', 'r-2'] } }),
          ),
          now,
        ),
      ).toEqual([
        'reservation x-1 (order RO-1) says an exchange of r-1b, r-2 bought it, but r-1b was exchanged for it',
      ]));
  });

  describe('payments', () => {
    const paymentOf = (reservationId: string, paymentNumber: number) =>
      isEvent('ReservationPaymentRecorded', { reservationId, paymentNumber });

    it('sees a payment taken twice', () => {
      const third = clean().find(paymentOf('r-1b', 3))!;
      expect(moneyViolations(inserted(paymentOf('r-1b', 3), third), now)).toEqual([
        'reservation r-1b (order RO-1) took payment 3 twice',
      ]);
    });

    it('sees a part of a split take again a payment its source made, monthly or upfront', () =>
      expect(
        moneyViolations(
          [
            ...clean(),
            payment(o1, 'r-1b', 2, 300, monthsAfter(E1, 1), RETURN),
            payment(o2, 's-1b', 1, 1_000, '2026-07-01T12:00:00.000Z'),
          ],
          now,
        ),
      ).toEqual([
        'reservation r-1b (order RO-1) took payment 2 again, which its sources had made',
        'reservation s-1b (order RO-2) took payment 1 again, which its sources had made',
      ]));

    it('sees an upfront reservation take more than its one payment', () =>
      expect(
        moneyViolations(inserted(paymentOf('s-1', 1), payment(o2, 's-1', 2, 2_000, '2026-06-15T12:00:00.000Z')), now),
      ).toEqual(['reservation s-1 (order RO-2) is paid upfront, yet took payment 2']));

    it('sees a payment beyond the term', () =>
      expect(
        moneyViolations([...clean(), payment('order-o-0', 'r-0', 13, 100.83, '2025-12-31T09:00:00.000Z')], now),
      ).toEqual(['reservation r-0 (order RO-0) took payment 13 of a 12-payment term']));

    it('sees a payment skipped', () =>
      expect(
        moneyViolations(
          changed(paymentOf('x-1', 5), () => undefined),
          now,
        ),
      ).toEqual(['reservation x-1 (order RO-1) skipped payment 5']));

    it('sees a payment recorded before it fell due', () =>
      expect(
        moneyViolations(changed(paymentOf('x-1', 7), withData({ recordedAt: '2026-10-31T00:00:00.000Z' })), now),
      ).toEqual([
        'reservation x-1 (order RO-1) recorded payment 7 at 2026-10-31T00:00:00.000Z, before it fell due at 2026-11-01T08:00:00.000Z',
      ]));

    it('sees a payment due before the reservation took effect', () =>
      expect(
        moneyViolations(changed(paymentOf('r-1b', 3), withData({ dueAt: '2026-02-15T00:00:00.000Z' })), now),
      ).toEqual([
        'reservation r-1b (order RO-1) took payment 3, due 2026-02-15T00:00:00.000Z, before it took effect at 2026-02-20T08:00:00.000Z',
      ]));

    it('sees a payment due at its expiry', () =>
      expect(moneyViolations(changed(paymentOf('r-0', 12), withData({ dueAt: X0, recordedAt: X0 })), now)).toEqual([
        'reservation r-0 (order RO-0) took payment 12, due 2026-01-15T09:00:00.000Z, at or after its expiry at 2026-01-15T09:00:00.000Z',
      ]));

    it('sees a payment taken after the reservation ended', () =>
      expect(moneyViolations([...clean(), payment(o1, 'r-m', 5, 300, monthsAfter(E1, 4))], now)).toEqual([
        'reservation r-m (order RO-1) took payment 5, due 2026-05-10T10:00:05.000Z, after it ended at 2026-04-20T08:00:00.000Z',
      ]));

    it('sees payments falling due out of order', () =>
      expect(
        moneyViolations(
          changed(
            paymentOf('x-1', 6),
            withData({ dueAt: '2026-11-05T08:00:00.000Z', recordedAt: '2026-11-05T08:00:00.000Z' }),
          ),
          now,
        ),
      ).toEqual([
        'reservation x-1 (order RO-1): payment 7 falls due at 2026-11-01T08:00:00.000Z, not after payment 6 at 2026-11-05T08:00:00.000Z',
      ]));

    it('sees a payment of another amount than the VMs held when it fell due', () => {
      expect(moneyViolations(changed(paymentOf('r-1b', 4), withData({ amountUsd: 300 })), now)).toEqual([
        'reservation r-1b (order RO-1) took USD 300 as payment 4, but USD 200 was due for the 2 VMs it held',
      ]);
      expect(moneyViolations(changed(paymentOf('r-m', 3), withData({ amountUsd: 200 })), now)).toEqual([
        'reservation r-m (order RO-1) took USD 200 as payment 3, but USD 300 was due for the 3 VMs it held',
      ]);
    });

    it('accepts a payment due in the hour a return was made at either figure, since the return counts from the next whole hour', () => {
      // Payment 4 falls due at 10:00:05; returned at 10:00:04, the VM counts as returned from 11:00.
      const returnedAt = hoursAfter(monthsAfter(E1, 3), -1 / 3600);
      const events = changed(isEvent('ReservationQuantityReturned'), withData({ returnedAt }));
      expect(moneyViolations(events, now)).toEqual([]);
      expect(moneyViolations(changed(paymentOf('r-1b', 4), withData({ amountUsd: 300 }), events), now)).toEqual([]);
    });

    it('sees a reservation that ran its term untouched without paying its price', () =>
      expect(
        moneyViolations(
          changed(paymentOf('r-0', 12), () => undefined),
          now,
        ),
      ).toEqual(['reservation r-0 (order RO-0) ran its term and paid USD 1109.13 of its USD 1210 price']));
  });

  /**
   * The checker must pass what the domain writes, or the invariant suite fails for nothing: the same kinds of change,
   * decided by the production deciders (here only to write the history; the checker never uses them).
   */
  describe('what the production deciders write', () => {
    const store: StoredEvent[] = [];
    const read = (streamId: string) =>
      store.filter((e) => e.streamId === streamId).map(({ type, data }) => ({ type, data }));
    const order = (orderId: string, command: OrderCommand): PlacedOrder => {
      const stream = `order-${orderId}`;
      const events = orderDecider.decide(command, fold(orderDecider, read(stream) as OrderEvent[]));
      store.push(...events.map(({ type, data }) => ({ streamId: stream, type, data })));
      return fold(orderDecider, read(stream) as OrderEvent[]) as PlacedOrder;
    };
    const ledger = (command: RefundLedgerCommand) => {
      const events = refundLedgerDecider.decide(
        command,
        fold(refundLedgerDecider, read(LEDGER) as RefundLedgerEvent[]),
      );
      store.push(...events.map(({ type, data }) => ({ streamId: LEDGER, type, data })));
    };
    const reservation = (orderId: string, reservationId: string): ActiveReservation =>
      (fold(orderDecider, read(`order-${orderId}`) as OrderEvent[]) as PlacedOrder).reservations[reservationId];
    const day = (days: number) => new Date(Date.parse('2026-01-10T10:00:00.000Z') + days * 86_400_000).toISOString();
    const cartLine = (
      lineId: string,
      quantity: number,
      unitPriceUsd: number,
      billingPlan: 'Monthly' | 'Upfront',
    ): CartLine => ({
      lineId,
      catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
      armSkuName: 'Standard_D4s_v5',
      region: 'westeurope',
      term: 'P1Y',
      billingPlan,
      quantity,
      subscriptionId: 's-1',
      unitPriceUsd,
    });
    /** A cart bought as an order, each line provisioned at once. */
    const buy = (orderId: string, lines: CartLine[], at: string) => {
      const billingPlan = lines[0].billingPlan;
      const totalUsd = lines.reduce((total, l) => total + l.quantity * l.unitPriceUsd, 0);
      store.push(
        event(`cart-${orderId}`, 'CartPurchased', {
          cartId: `cart-${orderId}`,
          orderId,
          orderNumber: `RO-${orderId}`,
          purchasedAt: at,
        }),
      );
      const common = {
        orderId,
        orderNumber: `RO-${orderId}`,
        customerId: 'c-1',
        partnerId: 'p-1',
        scope: { type: 'shared' as const },
      };
      order(orderId, {
        type: 'PlaceOrder',
        data: { ...common, cartId: `cart-${orderId}`, lines, billingPlan, totalUsd, now: at },
      });
      lines.forEach((l, i) => {
        const reservationId = `${orderId}-r${i + 1}`;
        order(orderId, { type: 'StartLineProvisioning', data: { lineNumber: i + 1, reservationId, now: at } });
        const data = provisionedReservation({
          ...common,
          reservationId,
          lineNumber: i + 1,
          quantity: l.quantity,
          billingPlan,
          unitPriceUsd: l.unitPriceUsd,
          effectiveDate: at,
          expiryDate: expiryFor(at, 'P1Y'),
        });
        order(orderId, { type: 'RecordLineProvisioned', data: { reservation: data, now: at } });
      });
      order(orderId, { type: 'FinishFulfilment', data: { now: at } });
    };
    const refunded = (
      r: ActiveReservation,
      cancellationId: string,
      amountUsd: number,
      countedUsd: number,
      now: string,
      quantity?: number,
    ) =>
      ledger({
        type: 'RecordRefund',
        data: {
          customerId: 'c-1',
          cancellationId,
          reservationId: r.reservationId,
          orderId: r.orderId,
          amountUsd,
          countedUsd,
          now,
          ...(quantity ? { kind: 'return', quantity } : {}),
        },
      });
    const duePayments = (orderId: string, reservationId: string, now: string) =>
      order(orderId, {
        type: 'ChangeReservation',
        data: { reservationId, change: { type: 'RecordDuePayments', data: { now } } },
      });

    beforeAll(() => {
      // Monthly, at a price that does not divide by twelve: 4 + 2 VMs.
      buy('d1', [cartLine('l-1', 4, 1_186.66, 'Monthly'), cartLine('l-2', 2, 1_186.66, 'Monthly')], day(0));
      for (const id of ['d1-r1', 'd1-r2']) duePayments('d1', id, day(35));
      order('d1', {
        type: 'SplitReservation',
        data: {
          reservationId: 'd1-r1',
          into: [
            { reservationId: 'd1-a', quantity: 1 },
            { reservationId: 'd1-b', quantity: 3 },
          ],
          now: day(40),
        },
      });
      order('d1', {
        type: 'MergeReservations',
        data: { reservationIds: ['d1-a', 'd1-r2'], targetReservationId: 'd1-m', now: day(50) },
      });
      // Return one of d1-b's three, then cancel the merged one, each refunded as the quote says.
      const part = reservation('d1', 'd1-b');
      const returned = monthlyCancellation(part, 1_186.66, day(70), 1);
      refunded(part, 'd1-b/return-1', returned.refundUsd, returned.countedUsd, day(70), 1);
      order('d1', {
        type: 'ReturnReservationQuantity',
        data: {
          reservationId: 'd1-b',
          cancellationId: 'd1-b/return-1',
          quantity: 1,
          refundUsd: returned.refundUsd,
          now: day(70),
        },
      });
      const merged = reservation('d1', 'd1-m');
      const cancelled = monthlyCancellation(merged, 1_186.66, day(100));
      refunded(merged, 'd1-m/cancellation-1', cancelled.refundUsd, cancelled.countedUsd, day(100));
      order('d1', {
        type: 'CancelReservation',
        data: {
          reservationId: 'd1-m',
          cancellationId: 'd1-m/cancellation-1',
          refundUsd: cancelled.refundUsd,
          quantity: merged.quantity,
          now: day(100),
        },
      });
      // Exchange d1-b's last two for one D8s_v5, which then runs its whole term.
      const item = {
        id: 'ri-standard_d8s_v5-westeurope-p1y',
        armSkuName: 'Standard_D8s_v5',
        region: 'westeurope',
        flexibilityGroup: 'DSv5 Series',
        ratio: 4,
        term: 'P1Y' as const,
        unitPriceUsd: 2_373.32,
      };
      order('d1', {
        type: 'ExchangeReservations',
        data: {
          exchangeId: 'd1-b/exchange-1',
          returns: [{ reservationId: 'd1-b', quantity: 2, currentUnitPriceUsd: 1_186.66 }],
          heldElsewhere: [],
          purchase: { reservationId: 'd1-x', item, quantity: 1, billingPlan: 'Monthly' },
          now: day(120),
        },
      });
      for (let d = 121; d <= 120 + 366; d += 1) duePayments('d1', 'd1-x', day(d));
      order('d1', {
        type: 'ChangeReservation',
        data: {
          reservationId: 'd1-x',
          change: {
            type: 'ReachExpiry',
            data: {
              renewal: { orderId: 'o-r', orderNumber: '', billingActive: true, billingSubscriptionId: 's-1' },
              now: day(120 + 366),
            },
          },
        },
      });

      // Upfront: 2 VMs split 1 + 1, one cancelled.
      buy('d2', [cartLine('l-1', 2, 1_000, 'Upfront')], day(0));
      order('d2', {
        type: 'SplitReservation',
        data: {
          reservationId: 'd2-r1',
          into: [
            { reservationId: 'd2-a', quantity: 1 },
            { reservationId: 'd2-b', quantity: 1 },
          ],
          now: day(30),
        },
      });
      const upfront = reservation('d2', 'd2-a');
      const { refundUsd } = refundQuote(upfront, 1_000, day(60));
      refunded(upfront, 'd2-a/cancellation-1', refundUsd, refundUsd, day(60));
      order('d2', {
        type: 'CancelReservation',
        data: { reservationId: 'd2-a', cancellationId: 'd2-a/cancellation-1', refundUsd, quantity: 1, now: day(60) },
      });

      // On a clock that stands still (the sandbox's), a return at the very instant, on the hour, that its first payment fell due:
      // the payment was taken for the three VMs held, before the return.
      buy('d3', [cartLine('l-1', 3, 1_000, 'Monthly')], day(200));
      const whole = reservation('d3', 'd3-r1');
      const giveBack = monthlyCancellation(whole, 1_000, day(200), 2);
      refunded(whole, 'd3-r1/return-1', giveBack.refundUsd, giveBack.countedUsd, day(200), 2);
      order('d3', {
        type: 'ReturnReservationQuantity',
        data: {
          reservationId: 'd3-r1',
          cancellationId: 'd3-r1/return-1',
          quantity: 2,
          refundUsd: giveBack.refundUsd,
          now: day(200),
        },
      });
    });

    it('finds nothing wrong in it', () => {
      const types = new Set(store.map((e) => e.type));
      for (const type of [
        'ReservationSplit',
        'ReservationMerged',
        'ReservationQuantityReturned',
        'ReservationCancelled',
        'ReservationExchanged',
        'RefundRecorded',
      ])
        expect(types).toContain(type);
      expect(store.filter(isEvent('ReservationPaymentRecorded', { reservationId: 'd1-x' }))).toHaveLength(12);
      expect(store.filter(isEvent('ReservationExpired'))).toHaveLength(1);
      expect(moneyViolations(store, day(600))).toEqual([]);
    });

    it('takes a payment as it was taken: a return recorded after it, at the same instant on the hour, did not lower it', () => {
      const d3 = store.filter((e) => e.streamId === 'order-d3').map((e) => e.type);
      expect(d3.indexOf('ReservationPaymentRecorded')).toBeLessThan(d3.indexOf('ReservationQuantityReturned'));
      expect(moneyViolations(store, day(600)).filter((v) => v.includes('d3-r1'))).toEqual([]);
      // The same payment recorded after the return, for the three VMs no longer held, is wrong.
      const paid = store.find(isEvent('ReservationPaymentRecorded', { reservationId: 'd3-r1' }))!;
      const reordered = [...store.filter((e) => e !== paid), paid];
      expect(moneyViolations(reordered, day(600)).filter((v) => v.includes('d3-r1'))).toEqual([
        'reservation d3-r1 (order RO-d3) took USD 249.99 as payment 1, but USD 83.33 was due for the 1 VMs it held',
      ]);
    });

    it('sees what goes wrong in it', () =>
      expect(
        moneyViolations(
          changed(isEvent('ReservationCancelled', { reservationId: 'd1-m' }), withData({ refundUsd: 5_000 }), store),
          day(600),
        ),
      ).toEqual([
        'reservation d1-m (order RO-d1) was refunded USD 5000, more than the USD 1186.56 paid for it',
        "refund d1-m/cancellation-1 is USD 211.22 in customer c-1's ledger but USD 5000 on reservation d1-m (order RO-d1)",
      ]));
  });
});
