/** The checker itself: it must see each kind of violation it claims to (a checker that cannot fail proves nothing). */
import { provisionedReservation } from '../../libs/domain/testing/reservation.fixture';
import { moneyViolations, StoredEvent } from './invariant-checker';

const now = '2026-11-25T12:00:00.000Z';
const line = {
  lineId: 'l-1',
  catalogItemId: 'x',
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
const order = (extra: Array<Omit<StoredEvent, 'streamId'>>): StoredEvent[] =>
  [
    {
      type: 'OrderPlaced',
      data: {
        orderId: 'o-1',
        orderNumber: 'RO-1',
        cartId: 'c',
        customerId: 'c-1',
        partnerId: 'p-1',
        lines: [line],
        scope: { type: 'shared' },
        billingPlan: 'Upfront',
        currency: 'USD',
        totalUsd: 3_000,
        placedAt: now,
      },
    },
    { type: 'OrderLineProvisioningStarted', data: { orderId: 'o-1', lineNumber: 1, reservationId: 'r-1', startedAt: now } },
    { type: 'ReservationProvisioned', data: provisionedReservation({ reservationId: 'r-1', orderId: 'o-1' }) },
    ...extra,
  ].map((event) => ({ streamId: 'order-o-1', ...event }));
const refund = (cancellationId: string, amountUsd: number): StoredEvent => ({
  streamId: 'refund-ledger-c-1',
  type: 'RefundRecorded',
  data: { customerId: 'c-1', cancellationId, reservationId: 'r-1', orderId: 'o-1', amountUsd, refundedAt: now },
});
const cancelled = { type: 'ReservationCancelled', data: { reservationId: 'r-1', customerId: 'c-1', cancellationId: 'k-1', refundUsd: 500, cancelledAt: now } };

describe('invariant checker', () => {
  it('finds nothing wrong in a consistent store', () => expect(moneyViolations([...order([cancelled]), refund('k-1', 500)], now)).toEqual([]));

  it('sees units created from nothing', () =>
    expect(
      moneyViolations(
        order([
          {
            type: 'ReservationProvisioned',
            data: provisionedReservation({ reservationId: 'r-x', orderId: 'o-1', origin: { type: 'merge', reservationIds: ['r-1'] } }),
          },
        ]),
        now,
      ),
    ).toEqual(['order RO-1: 6 active + 0 returned units, but its lines provisioned 3']));

  it('sees a refund the ledger lost, and one it counts for a return that never happened', () => {
    expect(moneyViolations(order([cancelled]), now)).toEqual(['cancellation k-1 returned a reservation, but the ledger does not count its refund']);
    expect(moneyViolations([...order([]), refund('k-1', 500)], now)).toEqual(['refund-ledger-c-1: refund k-1 counts, but its reservation was never cancelled']);
  });

  it('counts a return of part of a reservation as returned units with its own refund, and sees one the ledger lost', () => {
    const returned = {
      type: 'ReservationQuantityReturned',
      data: { reservationId: 'r-1', customerId: 'c-1', cancellationId: 'r-1/return-1', quantity: 1, remainingQuantity: 2, refundUsd: 200, returnedAt: now },
    };
    expect(moneyViolations([...order([returned, cancelled]), refund('r-1/return-1', 200), refund('k-1', 500)], now)).toEqual([]);
    expect(moneyViolations([...order([returned]), refund('r-1/return-1', 150)], now)).toEqual([
      'refund-ledger-c-1: refund r-1/return-1 is USD 150 in the ledger but USD 200 on the reservation',
    ]);
    expect(moneyViolations(order([returned]), now)).toEqual(['cancellation r-1/return-1 returned a reservation, but the ledger does not count its refund']);
  });

  it('counts units an exchange bought, and sees an exchange that created value', () => {
    const exchanged = (returnedValueUsd: number, newCommitmentUsd: number) => ({
      type: 'ReservationExchanged',
      data: {
        reservationId: 'r-1',
        customerId: 'c-1',
        exchangeId: 'r-1/exchange-4',
        quantity: 3,
        remainingQuantity: 0,
        returnedValueUsd,
        newReservationId: 'x-1',
        newCommitmentUsd,
        exchangedAt: now,
      },
    });
    const bought = {
      type: 'ReservationProvisioned',
      data: provisionedReservation({
        reservationId: 'x-1',
        orderId: 'o-1',
        quantity: 1,
        unitPriceUsd: 2_000,
        origin: { type: 'exchange', reservationIds: ['r-1'] },
      }),
    };
    expect(moneyViolations(order([exchanged(1_500, 2_000), bought]), now)).toEqual([]);
    expect(moneyViolations(order([exchanged(2_500, 2_000), bought]), now)).toEqual(['exchange of r-1: USD 2500 given back for a commitment of only USD 2000']);
  });

  it('sees a purchased cart that never became an order', () =>
    expect(moneyViolations([{ streamId: 'cart-c', type: 'CartPurchased', data: { cartId: 'c', orderId: 'o-9', orderNumber: 'RO-9' } }], now)).toEqual([
      'cart c was purchased as order RO-9, which was never placed',
    ]));
  describe('monthly payments', () => {
    const paid = (reservationId: string, paymentNumber: number, dueAt: string) => ({
      type: 'ReservationPaymentRecorded',
      data: { reservationId, customerId: 'c-1', paymentNumber, amountUsd: 250, dueAt, recordedAt: dueAt },
    });
    const split = { type: 'ReservationSplit', data: { reservationId: 'r-1', into: [], splitAt: '2026-05-01T00:00:00.000Z' } };
    const part = (payments?: { startDate: string; recorded: number }) => ({
      type: 'ReservationProvisioned',
      data: provisionedReservation({
        reservationId: 'r-2',
        orderId: 'o-1',
        effectiveDate: '2026-05-01T00:00:00.000Z',
        origin: { type: 'split', reservationIds: ['r-1'] },
        ...(payments ? { payments } : {}),
      }),
    });
    const first = paid('r-1', 1, '2026-02-28T12:00:00.000Z');

    it('sees a payment taken twice', () =>
      expect(moneyViolations(order([first, paid('r-1', 1, '2026-02-28T12:00:00.000Z')]), now)).toEqual(['reservation r-1 took a monthly payment twice']));

    it('sees a part of a split take again a payment its source made, and a payment taken after its reservation ended', () => {
      expect(
        moneyViolations(order([first, split, part({ startDate: '2026-02-28T12:00:00.000Z', recorded: 1 }), paid('r-2', 1, '2026-05-01T00:00:00.000Z')]), now),
      ).toEqual(['reservation r-2 took again a payment its sources had made']);
      expect(moneyViolations(order([first, split, paid('r-1', 2, '2026-05-28T12:00:00.000Z')]), now)).toContain(
        'reservation r-1 took payment 2, due 2026-05-28T12:00:00.000Z, after it ended at 2026-05-01T00:00:00.000Z',
      );
    });

    it('finds nothing wrong when a part goes on from its source', () =>
      expect(
        moneyViolations(order([first, split, part({ startDate: '2026-02-28T12:00:00.000Z', recorded: 1 }), paid('r-2', 2, '2026-03-28T12:00:00.000Z')]), now),
      ).toEqual([]));
  });
});
