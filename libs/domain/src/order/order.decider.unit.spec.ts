import { Catalog } from '../catalog/catalog';
import { cartLine, orderLine, orderPlaced as placed } from '../../testing/order.fixture';
import { provisionedReservation } from '../../testing/reservation.fixture';
import { ReservationProvisionedData } from '../reservation/reservation.events';
import { fold } from '../shared/decider';
import { deciderSpecification } from '../../testing/decider-specification';
import { monthlyCancellation, paymentsAtPurchase } from '../reservation/payment-schedule';
import { ExchangePurchase, exchangePolicyFor } from '../reservation/exchange';
import { addMonths } from '../shared/calendar';
import { OrderEvent, PlacedOrder, reservationOf } from './order';
import { OrderCommand, orderDecider } from './order.decider';

const spec = deciderSpecification(orderDecider);
const now = '2026-11-25T10:00:00.000Z';
const later = '2026-11-25T10:05:00.000Z';
const line = cartLine({ billingPlan: 'Monthly', unitPriceUsd: 1186.66 });
const place: OrderCommand = {
  type: 'PlaceOrder',
  data: {
    orderId: 'o-1',
    orderNumber: 'RO-2026-000007',
    cartId: 'cart-1',
    customerId: 'c-1',
    partnerId: 'p-1',
    lines: [line],
    scope: { type: 'single', subscriptionId: 's-1' },
    billingPlan: 'Monthly',
    totalUsd: 3559.98,
    now,
  },
};
const placedData = placed({
  orderNumber: 'RO-2026-000007',
  lines: [orderLine(1, line)],
  scope: { type: 'single', subscriptionId: 's-1' },
});
const orderPlaced: OrderEvent = { type: 'OrderPlaced', data: placedData };
const reservation = (
  lineNumber: number,
  overrides: Partial<ReservationProvisionedData> = {},
): ReservationProvisionedData =>
  provisionedReservation({
    reservationId: `r-${lineNumber}`,
    orderId: 'o-1',
    orderNumber: 'RO-2026-000007',
    lineNumber,
    effectiveDate: later,
    expiryDate: '2027-11-25T10:05:00.000Z',
    ...overrides,
  });
const started = (lineNumber: number): OrderEvent => ({
  type: 'OrderLineProvisioningStarted',
  data: { orderId: 'o-1', lineNumber, reservationId: `r-${lineNumber}`, startedAt: later },
});
const provisioned = (lineNumber: number, overrides: Partial<ReservationProvisionedData> = {}): OrderEvent => ({
  type: 'ReservationProvisioned',
  data: reservation(lineNumber, overrides),
});
const lineFailed = (lineNumber: number): OrderEvent => ({
  type: 'OrderLineProvisioningFailed',
  data: { orderId: 'o-1', lineNumber, code: '800017', reason: 'quantity not available', failedAt: later },
});
const completed: OrderEvent = {
  type: 'OrderCompleted',
  data: { orderId: 'o-1', reservationIds: ['r-1'], completedAt: later },
};
const twoLines: OrderEvent = {
  ...orderPlaced,
  data: { ...placedData, lines: [1, 2].map((n) => orderLine(n, { ...line, lineId: `l-${n}` })) },
};
const finish: OrderCommand = { type: 'FinishFulfilment', data: { now: later } };

describe('reservation order decider', () => {
  it('places a pending order with numbered, priced lines', () => spec.given([]).when(place).then([orderPlaced]));

  it('places an order only once', () => spec.given([orderPlaced]).when(place).thenNothingHappens());

  describe('fulfilment, line by line', () => {
    it('starts a line before it is handed to provisioning, once', () => {
      spec
        .given([orderPlaced])
        .when({ type: 'StartLineProvisioning', data: { lineNumber: 1, reservationId: 'r-1', now: later } })
        .then([started(1)]);
      spec
        .given([orderPlaced, started(1)])
        .when({ type: 'StartLineProvisioning', data: { lineNumber: 1, reservationId: 'r-1', now: later } })
        .thenNothingHappens();
    });

    it('records the provisioned reservation on the line it started, once, with its payment', () => {
      // Upfront, its one payment (3 × 1,000) is taken with it.
      spec
        .given([orderPlaced, started(1)])
        .when({
          type: 'RecordLineProvisioned',
          data: { reservation: reservation(1, { billingPlan: 'Upfront' }), now: later },
        })
        .then([
          provisioned(1, { billingPlan: 'Upfront' }),
          {
            type: 'ReservationPaymentRecorded',
            data: {
              reservationId: 'r-1',
              customerId: 'c-1',
              paymentNumber: 1,
              dueAt: later,
              amountUsd: 3_000,
              quantity: 3,
              recordedAt: later,
            },
          },
        ]);
      // Billed monthly (the fixture's plan), its first payment is taken with it: 3 × 83.33 (the last month takes the rounding).
      spec
        .given([orderPlaced, started(1)])
        .when({ type: 'RecordLineProvisioned', data: { reservation: reservation(1), now: later } })
        .then([
          provisioned(1),
          {
            type: 'ReservationPaymentRecorded',
            data: {
              reservationId: 'r-1',
              customerId: 'c-1',
              paymentNumber: 1,
              dueAt: later,
              amountUsd: 249.99,
              quantity: 3,
              recordedAt: later,
            },
          },
        ]);
      spec
        .given([orderPlaced, started(1), provisioned(1)])
        .when({ type: 'RecordLineProvisioned', data: { reservation: reservation(1), now: later } })
        .thenNothingHappens();
      spec
        .given([orderPlaced])
        .when({ type: 'RecordLineProvisioned', data: { reservation: reservation(1), now: later } })
        .thenRefuses('ORDER_LINE_NOT_PROVISIONING');
    });

    it('completes when every line is provisioned', () =>
      spec
        .given([orderPlaced, started(1), provisioned(1)])
        .when(finish)
        .then([completed]));

    it('ends partiallyFulfilled when a later line fails for good: the kept line is listed', () =>
      spec
        .given([twoLines, started(1), provisioned(1), started(2), lineFailed(2)])
        .when(finish)
        .then([
          {
            type: 'OrderPartiallyFulfilled',
            data: { orderId: 'o-1', reservationIds: ['r-1'], failedLineNumbers: [2], fulfilledAt: later },
          },
        ]));

    it('fails when no line could be provisioned', () =>
      spec
        .given([orderPlaced, started(1), lineFailed(1)])
        .when(finish)
        .then([
          {
            type: 'OrderFailed',
            data: { orderId: 'o-1', reason: 'line 1: 800017 quantity not available', failedAt: later },
          },
        ]));

    it('refuses to finish while a line is still outstanding', () =>
      spec
        .given([twoLines, started(1), provisioned(1), started(2)])
        .when(finish)
        .thenRefuses('ORDER_LINES_OUTSTANDING'));

    it('shows each line’s provisioning, with its reservation', () => {
      const order = fold(orderDecider, [
        twoLines,
        started(1),
        provisioned(1),
        started(2),
        lineFailed(2),
      ]) as PlacedOrder;
      expect(order.lines.map((l) => l.provisioning)).toEqual([
        { status: 'provisioned', reservationId: 'r-1', startedAt: later, provisionedAt: later },
        {
          status: 'failed',
          reservationId: 'r-2',
          startedAt: later,
          failedAt: later,
          reason: '800017 quantity not available',
        },
      ]);
    });

    it('fails a whole order that cannot be provisioned, only before any line started', () => {
      spec
        .given([orderPlaced])
        .when({ type: 'FailOrder', data: { reason: 'subscription s-1 suspended', now: later } })
        .then([
          { type: 'OrderFailed', data: { orderId: 'o-1', reason: 'subscription s-1 suspended', failedAt: later } },
        ]);
      spec
        .given([orderPlaced, started(1)])
        .when({ type: 'FailOrder', data: { reason: 'x', now: later } })
        .thenRefuses('ORDER_IN_FULFILMENT');
    });
  });

  describe('cancel and fulfilment serialize on the order stream', () => {
    const cancel: OrderCommand = { type: 'CancelOrder', data: { reason: 'customer request', now: later } };

    it('cancels an order no line of which has started', () =>
      spec
        .given([orderPlaced])
        .when(cancel)
        .then([{ type: 'OrderCancelled', data: { orderId: 'o-1', reason: 'customer request', cancelledAt: later } }]));

    it('race: a cancel decided after a line started is refused with ORDER_IN_FULFILMENT', () => {
      spec
        .given([orderPlaced, started(1)])
        .when(cancel)
        .thenRefuses('ORDER_IN_FULFILMENT');
      spec
        .given([twoLines, started(1), provisioned(1), started(2)])
        .when(cancel)
        .thenRefuses('ORDER_IN_FULFILMENT');
    });

    it('race: a line cannot start once the cancel was decided first', () =>
      spec
        .given([
          orderPlaced,
          { type: 'OrderCancelled', data: { orderId: 'o-1', reason: 'customer request', cancelledAt: later } },
        ])
        .when({ type: 'StartLineProvisioning', data: { lineNumber: 1, reservationId: 'r-1', now: later } })
        .thenRefuses('ORDER_NOT_PENDING'));

    it('treats a repeated cancel as a no-op, and refuses to leave a final status', () => {
      spec
        .given([orderPlaced, { type: 'OrderCancelled', data: { orderId: 'o-1', reason: 'x', cancelledAt: later } }])
        .when(cancel)
        .thenNothingHappens();
      spec
        .given([orderPlaced, started(1), provisioned(1), completed])
        .when(cancel)
        .thenRefuses('ORDER_NOT_PENDING');
      spec
        .given([orderPlaced, started(1), provisioned(1), completed])
        .when(finish)
        .thenNothingHappens();
    });

    it('refuses transitions of an order that does not exist', () =>
      spec.given([]).when(cancel).thenRefuses('ORDER_NOT_FOUND'));
  });

  describe('reservations of the order', () => {
    // Monthly, as fulfilment records them: each with its first payment.
    const held = [
      twoLines,
      started(1),
      provisioned(1),
      ...paymentsAtPurchase(reservation(1), later),
      started(2),
      provisioned(2),
      ...paymentsAtPurchase(reservation(2), later),
      { ...completed, data: { ...completed.data, reservationIds: ['r-1', 'r-2'] } } as OrderEvent,
    ];
    const into = [
      { reservationId: 'r-1a', quantity: 1 },
      { reservationId: 'r-1b', quantity: 2 },
    ];
    /** An exchange of one reservation of the order (r-1 by default), at the market price of 1,000 a unit, for a D8s_v5 at 2,000. */
    const exchange = ({
      reservationId = 'r-1',
      quantity,
      purchase,
      now: at = later,
      currentUnitPriceUsd = 1_000,
    }: {
      reservationId?: string;
      currentUnitPriceUsd?: number;
      quantity: number;
      purchase?: ExchangePurchase & { reservationId: string };
      now?: string;
    }): OrderCommand => ({
      type: 'ExchangeReservations',
      data: {
        exchangeId: `${reservationId}/exchange-1`,
        returns: [{ reservationId, quantity, currentUnitPriceUsd }],
        heldElsewhere: [],
        purchase: purchase ?? {
          reservationId: 'x-9',
          item: Catalog.shipped().get('ri-standard_d8s_v5-westeurope-p1y', at)!,
          quantity: 1,
          billingPlan: 'Monthly',
        },
        now: at,
      },
    });

    it('splits in one append: the original ends and both parts exist', () => {
      const events = orderDecider.decide(
        { type: 'SplitReservation', data: { reservationId: 'r-1', into, now: later } },
        fold(orderDecider, held),
      );
      expect(events.map((e) => [e.type, (e.data as { reservationId?: string }).reservationId])).toEqual([
        ['ReservationSplit', 'r-1'],
        ['ReservationProvisioned', 'r-1a'],
        ['ReservationProvisioned', 'r-1b'],
      ]);
    });

    describe('monthly billing across a split or a merge', () => {
      // Bought 2026-11-25 at USD 1,000 a unit for a year: 8,333 cents a unit each month, 8,337 the last.
      const paid = (
        reservationId: string,
        paymentNumber: number,
        dueAt: string,
        amountUsd: number,
        recordedAt = splitAt,
        quantity = 3,
      ): OrderEvent => ({
        type: 'ReservationPaymentRecorded',
        data: { reservationId, customerId: 'c-1', paymentNumber, amountUsd, quantity, dueAt, recordedAt },
      });
      const splitAt = '2027-04-10T08:00:00.000Z';
      const due = (month: string) => `${month}-25T10:05:00.000Z`;
      const continued = { startDate: later, recorded: 5 };
      const split = (reservationId: string, quantity: number): ReservationProvisionedData => ({
        ...reservation(1),
        reservationId,
        quantity,
        effectiveDate: splitAt,
        purchasedAt: later,
        autoRenew: false,
        origin: { type: 'split', reservationIds: ['r-1'] },
      });

      it('records the payments fallen due first, and the parts go on with the schedule from the next month', () =>
        spec
          .given(held)
          .when({ type: 'SplitReservation', data: { reservationId: 'r-1', into, now: splitAt } })
          .then([
            paid('r-1', 2, due('2026-12'), 249.99),
            paid('r-1', 3, due('2027-01'), 249.99),
            paid('r-1', 4, due('2027-02'), 249.99),
            paid('r-1', 5, due('2027-03'), 249.99),
            { type: 'ReservationSplit', data: { reservationId: 'r-1', into, splitAt } },
            { type: 'ReservationProvisioned', data: { ...split('r-1a', 1), payments: continued } },
            { type: 'ReservationProvisioned', data: { ...split('r-1b', 2), payments: continued } },
          ]));

      it('a part pays the months left of the term, not a term of its own from the split', () => {
        const afterSplit = [
          ...held,
          ...orderDecider.decide(
            { type: 'SplitReservation', data: { reservationId: 'r-1', into, now: splitAt } },
            fold(orderDecider, held),
          ),
        ];
        spec
          .given(afterSplit)
          .when({
            type: 'ChangeReservation',
            data: { reservationId: 'r-1b', change: { type: 'RecordDuePayments', data: { now: splitAt } } },
          })
          .thenNothingHappens();
        const endOfTerm = '2027-11-26T00:00:00.000Z';
        const recorded = orderDecider
          .decide(
            {
              type: 'ChangeReservation',
              data: { reservationId: 'r-1b', change: { type: 'RecordDuePayments', data: { now: endOfTerm } } },
            },
            fold(orderDecider, afterSplit),
          )
          .map((event) => event.data as { paymentNumber: number; dueAt: string; amountUsd: number });
        // Payments 6 to 12 of the source's schedule, for the part's two units: with the source's five, twelve months in all.
        expect(recorded.map((payment) => [payment.paymentNumber, payment.dueAt, payment.amountUsd])).toEqual([
          [6, due('2027-04'), 166.66],
          [7, due('2027-05'), 166.66],
          [8, due('2027-06'), 166.66],
          [9, due('2027-07'), 166.66],
          [10, due('2027-08'), 166.66],
          [11, due('2027-09'), 166.66],
          [12, due('2027-10'), 166.74],
        ]);
      });

      it('a return or a cancellation records the payments fallen due first, for all it held when they fell due', () => {
        const dueBefore = [2, 3, 4, 5].map((n) =>
          paid('r-1', n, due(['2026-12', '2027-01', '2027-02', '2027-03'][n - 2]), 249.99),
        );
        const returned: OrderEvent = {
          type: 'ReservationQuantityReturned',
          data: {
            reservationId: 'r-1',
            customerId: 'c-1',
            cancellationId: 'r-1/return-at-9',
            quantity: 1,
            remainingQuantity: 2,
            refundUsd: 10,
            returnedAt: splitAt,
          },
        };
        spec
          .given(held)
          .when({
            type: 'ReturnReservationQuantity',
            data: { reservationId: 'r-1', cancellationId: 'r-1/return-at-9', quantity: 1, refundUsd: 10, now: splitAt },
          })
          .then([...dueBefore, returned]);
        const cancelled = orderDecider.decide(
          {
            type: 'CancelReservation',
            data: { reservationId: 'r-1', cancellationId: 'r-1/cancellation-1', refundUsd: 10, now: splitAt },
          },
          fold(orderDecider, held),
        );
        expect(cancelled.slice(0, 4)).toEqual(dueBefore);
        expect(cancelled.map((event) => event.type).at(-1)).toBe('ReservationCancelled');
      });

      it('an exchange records the payments fallen due first too', () => {
        const events = orderDecider.decide(exchange({ quantity: 1, now: splitAt }), fold(orderDecider, held));
        expect(
          events.slice(0, 5).map((event) => [event.type, (event.data as { paymentNumber?: number }).paymentNumber]),
        ).toEqual([
          ['ReservationPaymentRecorded', 2],
          ['ReservationPaymentRecorded', 3],
          ['ReservationPaymentRecorded', 4],
          ['ReservationPaymentRecorded', 5],
          ['ReservationExchanged', undefined],
        ]);
      });

      it('race: a refund quoted before the daily pass took a payment due after the quote is refused at settlement, so it is reversed', () => {
        // Quoted at 10:04 on 2027-04-25; payment 6 fell due at 10:05 and the pass took it before the settlement.
        const quotedAt = '2027-04-25T10:04:00.000Z';
        const tookSix = [2, 3, 4, 5, 6].map((n) =>
          paid(
            'r-1',
            n,
            due(['2026-12', '2027-01', '2027-02', '2027-03', '2027-04'][n - 2]),
            249.99,
            '2027-04-25T11:00:00.000Z',
          ),
        );
        spec
          .given([...held, ...tookSix])
          .when({
            type: 'CancelReservation',
            data: { reservationId: 'r-1', cancellationId: 'r-1/cancellation-1', refundUsd: 17.07, now: quotedAt },
          })
          .thenRefuses('RESERVATION_CHANGED');
        spec
          .given([...held, ...tookSix])
          .when({
            type: 'ReturnReservationQuantity',
            data: { reservationId: 'r-1', cancellationId: 'r-1/return-at-9', quantity: 1, refundUsd: 5, now: quotedAt },
          })
          .thenRefuses('RESERVATION_CHANGED');
        // Settled before that payment fell due, or quoted after it was taken: no refusal.
        expect(
          orderDecider.decide(
            {
              type: 'CancelReservation',
              data: {
                reservationId: 'r-1',
                cancellationId: 'r-1/cancellation-1',
                refundUsd: 17.07,
                now: '2027-04-25T11:01:00.000Z',
              },
            },
            fold(orderDecider, [...held, ...tookSix]),
          ),
        ).toEqual([expect.objectContaining({ type: 'ReservationCancelled' })]);
      });

      it('a quote counts a payment fallen due and not yet recorded as paid, not as a future payment cancelled', () => {
        const reservation = reservationOf(fold(orderDecider, held), 'r-1');
        // Payments 2 to 5 fell due before the quote; 6 to 12 are the future ones: 7 × 249.99 + the last's rounding.
        expect(monthlyCancellation(reservation, 1_000, splitAt).cancelledFuturePaymentsUsd).toBe(1_750.05);
      });

      it('what a split or merge makes of a reservation whose renewal was already bought does not renew again', () => {
        const renewed: OrderEvent = {
          type: 'ReservationRenewed',
          data: {
            reservationId: 'r-1',
            renewalOrderId: 'ro-1',
            renewalOrderNumber: 'RO-2026-000099',
            unitPriceUsd: 1_000,
            renewedAt: splitAt,
          },
        };
        const withRenewal = [
          ...held,
          {
            type: 'ReservationAutoRenewSet',
            data: { reservationId: 'r-1', autoRenew: true, setAt: later },
          } as OrderEvent,
          {
            type: 'ReservationAutoRenewSet',
            data: { reservationId: 'r-2', autoRenew: true, setAt: later },
          } as OrderEvent,
          renewed,
        ];
        const parts = orderDecider
          .decide(
            { type: 'SplitReservation', data: { reservationId: 'r-1', into, now: splitAt } },
            fold(orderDecider, withRenewal),
          )
          .filter((event) => event.type === 'ReservationProvisioned');
        expect(parts.map((event) => (event.data as ReservationProvisionedData).autoRenew)).toEqual([false, false]);
        // Merged with one whose renewal was not bought, part of it would silently stop renewing: refused.
        const merge: OrderCommand = {
          type: 'MergeReservations',
          data: { reservationIds: ['r-1', 'r-2'], targetReservationId: 'm-1', now: splitAt },
        };
        spec.given(withRenewal).when(merge).thenRefuses('MERGE_MISMATCH');
        const bothRenewed = [
          ...withRenewal,
          { ...renewed, data: { ...renewed.data, reservationId: 'r-2', renewalOrderId: 'ro-2' } } as OrderEvent,
        ];
        expect(orderDecider.decide(merge, fold(orderDecider, bothRenewed)).at(-1)).toMatchObject({
          type: 'ReservationProvisioned',
          data: { reservationId: 'm-1', autoRenew: false },
        });
        // Without a renewal bought, a split still cancels the renewal, as in Azure: the parts renew only once told to.
        const unrenewed = orderDecider
          .decide(
            { type: 'SplitReservation', data: { reservationId: 'r-1', into, now: splitAt } },
            fold(orderDecider, withRenewal.slice(0, -1)),
          )
          .filter((event) => event.type === 'ReservationProvisioned');
        expect(unrenewed.map((event) => (event.data as ReservationProvisionedData).autoRenew)).toEqual([false, false]);
      });

      it('a merge of monthly reservations goes on with their schedule too', () => {
        const merged = orderDecider.decide(
          {
            type: 'MergeReservations',
            data: { reservationIds: ['r-1', 'r-2'], targetReservationId: 'm-1', now: splitAt },
          },
          fold(orderDecider, held),
        );
        expect(merged.filter((event) => event.type === 'ReservationPaymentRecorded')).toHaveLength(8);
        expect(merged.at(-1)).toMatchObject({
          type: 'ReservationProvisioned',
          data: { reservationId: 'm-1', quantity: 6, payments: continued },
        });
      });
    });

    it('race: a split repeated after it happened changes nothing; a different split of the same reservation is refused', () => {
      const split = orderDecider.decide(
        { type: 'SplitReservation', data: { reservationId: 'r-1', into, now: later } },
        fold(orderDecider, held),
      );
      spec
        .given([...held, ...split])
        .when({ type: 'SplitReservation', data: { reservationId: 'r-1', into, now: later } })
        .thenNothingHappens();
      spec
        .given([...held, ...split])
        .when({
          type: 'SplitReservation',
          data: {
            reservationId: 'r-1',
            into: [
              { reservationId: 'x', quantity: 2 },
              { reservationId: 'y', quantity: 1 },
            ],
            now: later,
          },
        })
        .thenRefuses('RESERVATION_NOT_ACTIVE');
    });

    it('merges in one append: the sources end and the merged reservation holds their quantity', () => {
      const state = fold(orderDecider, held);
      const events = orderDecider.decide(
        { type: 'MergeReservations', data: { reservationIds: ['r-1', 'r-2'], targetReservationId: 'm-1', now: later } },
        state,
      );
      expect(events.map((e) => [e.type, (e.data as { reservationId?: string }).reservationId])).toEqual([
        ['ReservationMerged', 'r-1'],
        ['ReservationMerged', 'r-2'],
        ['ReservationProvisioned', 'm-1'],
      ]);
      const after = fold(orderDecider, [...held, ...events]) as PlacedOrder;
      expect(
        Object.values(after.reservations)
          .filter((r) => r.status === 'Succeeded')
          .map((r) => [r.reservationId, r.quantity]),
      ).toEqual([['m-1', 6]]);
    });

    it('race: three identical merges at once create one merged reservation (the later ones decide on the first one’s append)', () => {
      const merge: OrderCommand = {
        type: 'MergeReservations',
        data: { reservationIds: ['r-1', 'r-2'], targetReservationId: 'm-1', now: later },
      };
      const first = orderDecider.decide(merge, fold(orderDecider, held));
      spec
        .given([...held, ...first])
        .when(merge)
        .thenNothingHappens();
    });

    it('race: a merge decided after a split of one of its sources is refused', () => {
      const split = orderDecider.decide(
        { type: 'SplitReservation', data: { reservationId: 'r-1', into, now: later } },
        fold(orderDecider, held),
      );
      spec
        .given([...held, ...split])
        .when({
          type: 'MergeReservations',
          data: { reservationIds: ['r-1', 'r-2'], targetReservationId: 'm-1', now: later },
        })
        .thenRefuses('RESERVATION_NOT_ACTIVE');
    });

    it('refuses to merge reservations of another reservation order', () =>
      spec
        .given(held)
        .when({
          type: 'MergeReservations',
          data: { reservationIds: ['r-1', 'r-elsewhere'], targetReservationId: 'm-1', now: later },
        })
        .thenRefuses('MERGE_ACROSS_ORDERS'));

    it('returns a reservation under its cancellation id; the same cancellation again changes nothing', () => {
      const cancel: OrderCommand = {
        type: 'CancelReservation',
        data: { reservationId: 'r-1', cancellationId: 'r-1/cancellation-1', refundUsd: 750, now: later },
      };
      const cancelled: OrderEvent = {
        type: 'ReservationCancelled',
        data: {
          reservationId: 'r-1',
          customerId: 'c-1',
          cancellationId: 'r-1/cancellation-1',
          refundUsd: 750,
          cancelledAt: later,
        },
      };
      spec.given(held).when(cancel).then([cancelled]);
      spec
        .given([...held, cancelled])
        .when(cancel)
        .thenNothingHappens();
    });

    it('race: a return decided after a split of the reservation is refused, so its refund is reversed', () => {
      const split = orderDecider.decide(
        { type: 'SplitReservation', data: { reservationId: 'r-1', into, now: later } },
        fold(orderDecider, held),
      );
      spec
        .given([...held, ...split])
        .when({
          type: 'CancelReservation',
          data: { reservationId: 'r-1', cancellationId: 'r-1/cancellation-1', refundUsd: 750, now: later },
        })
        .thenRefuses('RESERVATION_NOT_ACTIVE');
    });

    it('race: a split decided after the return is refused', () => {
      const cancelled: OrderEvent = {
        type: 'ReservationCancelled',
        data: {
          reservationId: 'r-1',
          customerId: 'c-1',
          cancellationId: 'r-1/cancellation-1',
          refundUsd: 750,
          cancelledAt: later,
        },
      };
      spec
        .given([...held, cancelled])
        .when({ type: 'SplitReservation', data: { reservationId: 'r-1', into, now: later } })
        .thenRefuses('RESERVATION_NOT_ACTIVE');
    });

    describe('return of part of the quantity (Azure’s Return API with a quantity)', () => {
      const returnOne = (cancellationId = 'r-1/return-1', quantity = 1): OrderCommand => ({
        type: 'ReturnReservationQuantity',
        data: { reservationId: 'r-1', cancellationId, quantity, refundUsd: 250, now: later },
      });
      const returned = (cancellationId = 'r-1/return-1', quantity = 1, remainingQuantity = 2): OrderEvent => ({
        type: 'ReservationQuantityReturned',
        data: {
          reservationId: 'r-1',
          customerId: 'c-1',
          cancellationId,
          quantity,
          remainingQuantity,
          refundUsd: 250,
          returnedAt: later,
        },
      });

      it('returns part of the quantity and keeps the rest active with it reduced', () => {
        spec.given(held).when(returnOne()).then([returned()]);
        const after = reservationOf(fold(orderDecider, [...held, returned()]), 'r-1');
        expect({ status: after.status, quantity: after.quantity }).toEqual({ status: 'Succeeded', quantity: 2 });
      });

      it('writes nothing for the same return again (a retry, or a request that raced it under the same id)', () =>
        spec
          .given([...held, returned()])
          .when(returnOne())
          .thenNothingHappens());

      it('refuses a return of all of it (that is a cancellation), of more than it holds, or of a part of a unit', () => {
        for (const quantity of [3, 4, 0, 1.5])
          spec.given(held).when(returnOne('r-1/return-1', quantity)).thenRefuses('RETURN_QUANTITY_INVALID');
      });

      it('race: two returns decided one after the other on one stream cannot take more than it holds', () =>
        spec
          .given([...held, returned('r-1/return-1', 2, 1)])
          .when(returnOne('r-1/return-2', 1))
          .thenRefuses('RETURN_QUANTITY_INVALID'));

      it('race: a cancellation quoted before a return is refused after it, so its refund (for all 3) is reversed', () =>
        spec
          .given([...held, returned()])
          .when({
            type: 'CancelReservation',
            data: {
              reservationId: 'r-1',
              cancellationId: 'r-1/cancellation-1',
              refundUsd: 750,
              quantity: 3,
              now: later,
            },
          })
          .thenRefuses('RESERVATION_CHANGED'));

      it('refuses a return from an ended reservation', () =>
        spec
          .given([
            ...held,
            {
              type: 'ReservationCancelled',
              data: {
                reservationId: 'r-1',
                customerId: 'c-1',
                cancellationId: 'r-1/cancellation-1',
                refundUsd: 750,
                cancelledAt: later,
              },
            },
          ])
          .when(returnOne())
          .thenRefuses('RESERVATION_NOT_ACTIVE'));
    });

    describe('exchange for another size of the same flexibility group and region', () => {
      const d8 = {
        id: 'ri-standard_d8s_v5-westeurope-p1y',
        armSkuName: 'Standard_D8s_v5',
        region: 'westeurope',
        flexibilityGroup: 'DSv5 Series',
        ratio: 4,
        term: 'P1Y' as const,
        unitPriceUsd: 2_000,
      };
      const buying = (overrides: Partial<ExchangePurchase> = {}) => ({
        reservationId: 'x-1',
        item: d8,
        quantity: 1,
        billingPlan: 'Monthly' as const,
        ...overrides,
      });

      it('returns the quantity and buys the new reservation in one append, its term starting at the exchange; both sides are money', () => {
        const events = orderDecider.decide(exchange({ quantity: 2, purchase: buying() }), fold(orderDecider, held));
        // Billed monthly like the reservation it came from, its first payment (2,000 / 12, rounded down) is taken in the same append.
        expect(events.map((e) => e.type)).toEqual([
          'ReservationExchanged',
          'ReservationProvisioned',
          'ReservationPaymentRecorded',
        ]);
        expect(events[2].data).toMatchObject({
          reservationId: 'x-1',
          paymentNumber: 1,
          amountUsd: 166.66,
          dueAt: later,
        });
        // 2 of 3 monthly units at the start of the term: 2,000 of commitment, of which payments 2–12 (1,833.34) are cancelled; 166.66 was paid ahead.
        expect(events[0].data).toMatchObject({
          quantity: 2,
          remainingQuantity: 1,
          refundUsd: 166.66,
          remainingCommitmentUsd: 1_833.34,
          returnedValueUsd: 1_833.34,
          newReservationId: 'x-1',
          newCommitmentUsd: 2_000,
        });
        expect(events[1].data).toMatchObject({
          reservationId: 'x-1',
          armSkuName: 'Standard_D8s_v5',
          quantity: 1,
          effectiveDate: later,
          purchasedAt: later,
          expiryDate: '2027-11-25T10:05:00.000Z',
          origin: { type: 'exchange', reservationIds: ['r-1'] },
        });
        const after = fold(orderDecider, [...held, ...events]);
        expect([
          reservationOf(after, 'r-1').quantity,
          reservationOf(after, 'r-1').status,
          reservationOf(after, 'x-1').status,
        ]).toEqual([1, 'Succeeded', 'Succeeded']);
      });

      it('records an upfront source’s refund as money: the prorated value of what it gives back (issue #26)', () => {
        const upfront = held.map((event) =>
          event.type === 'ReservationProvisioned'
            ? { ...event, data: { ...event.data, billingPlan: 'Upfront' as const } }
            : event,
        );
        const [given] = orderDecider.decide(
          exchange({ quantity: 1, purchase: buying({ billingPlan: 'Upfront' }) }),
          fold(orderDecider, upfront),
        );
        expect(given).toMatchObject({
          type: 'ReservationExchanged',
          data: { refundUsd: 1_000, remainingCommitmentUsd: 1_000 },
        });
      });

      it('values a monthly source by the leftover payments cancelled: USD 100 a month over 36, after the 18th payment, returns USD 1,800 (issue #26)', () => {
        const monthly = provisionedReservation({
          reservationId: 'm-1',
          orderId: 'o-1',
          lineNumber: 1,
          catalogItemId: 'ri-standard_d4s_v5-westeurope-p3y',
          term: 'P3Y',
          quantity: 1,
          unitPriceUsd: 3_600,
          effectiveDate: '2026-01-01T00:00:00.000Z',
          purchasedAt: '2026-01-01T00:00:00.000Z',
          expiryDate: '2029-01-01T00:00:00.000Z',
        });
        const history: OrderEvent[] = [
          orderPlaced,
          started(1),
          { type: 'ReservationProvisioned', data: monthly },
          ...Array.from({ length: 18 }, (_, i): OrderEvent => ({
            type: 'ReservationPaymentRecorded',
            data: {
              reservationId: 'm-1',
              customerId: 'c-1',
              paymentNumber: i + 1,
              amountUsd: 100,
              dueAt: addMonths(monthly.effectiveDate, i),
              recordedAt: addMonths(monthly.effectiveDate, i),
            },
          })),
        ];
        const at = '2027-06-01T00:00:00.000Z';
        const events = orderDecider.decide(
          exchange({
            reservationId: 'm-1',
            quantity: 1,
            currentUnitPriceUsd: 3_600,
            purchase: buying({ item: { ...d8, term: 'P3Y', unitPriceUsd: 1_800 }, billingPlan: 'Upfront' }),
            now: at,
          }),
          fold(orderDecider, history),
        );
        // 580 of 1,096 days remain: 1,905.10 of commitment, 1,800 of it the 18 payments left; 105.10 was paid ahead, and is the refund.
        expect(events[0].data).toMatchObject({
          remainingCommitmentUsd: 1_800,
          refundUsd: 105.1,
          newCommitmentUsd: 1_800,
        });
        // A commitment of a cent less is refused, with both figures.
        expect(() =>
          orderDecider.decide(
            exchange({
              reservationId: 'm-1',
              quantity: 1,
              purchase: buying({ item: { ...d8, term: 'P3Y', unitPriceUsd: 1_799.99 } }),
              now: at,
            }),
            fold(orderDecider, history),
          ),
        ).toThrow(
          expect.objectContaining({
            code: 'EXCHANGE_VALUE_TOO_LOW',
            details: { returnedValueUsd: 1_800, newCommitmentUsd: 1_799.99 },
          }),
        );
      });

      it('ends the reservation when all of it is exchanged', () => {
        const after = fold(orderDecider, [
          ...held,
          ...orderDecider.decide(
            exchange({ quantity: 3, purchase: buying({ quantity: 2 }) }),
            fold(orderDecider, held),
          ),
        ]);
        expect(reservationOf(after, 'r-1')).toMatchObject({ status: 'Exchanged', exchangedFor: 'x-1', endedAt: later });
      });

      it('refuses 422 EXCHANGE_VALUE_TOO_LOW when the new lifetime commitment is less than the commitment returned, with both figures', () => {
        // All three monthly units: payments 2–12 of 3 units, 2,750.01, against a commitment of 2,000.
        const attempt = () =>
          orderDecider.decide(exchange({ quantity: 3, purchase: buying() }), fold(orderDecider, held));
        expect(attempt).toThrow(
          expect.objectContaining({
            code: 'EXCHANGE_VALUE_TOO_LOW',
            details: { returnedValueUsd: 2_750.01, newCommitmentUsd: 2_000 },
          }),
        );
      });

      it('refuses a size of another flexibility group or region', () => {
        for (const item of [
          { ...d8, id: 'e', armSkuName: 'Standard_E8s_v5', flexibilityGroup: 'ESv5 Series' },
          { ...d8, id: 'n', region: 'northeurope' },
        ])
          spec
            .given(held)
            .when(exchange({ quantity: 1, purchase: buying({ item }) }))
            .thenRefuses('EXCHANGE_NOT_ALLOWED');
      });

      it('refuses a reservation bought on or after 2027-02-01, naming the policy, and takes one bought a millisecond before (issue #26)', () => {
        const boughtAt = (purchasedAt: string) =>
          held.map((event) =>
            event.type === 'ReservationProvisioned'
              ? { ...event, data: { ...event.data, purchasedAt, effectiveDate: purchasedAt } }
              : event,
          );
        const refused = () =>
          orderDecider.decide(
            exchange({ quantity: 1, purchase: buying(), now: '2027-03-01T00:00:00.000Z' }),
            fold(orderDecider, boughtAt('2027-02-01T00:00:00.000Z')),
          );
        expect(refused).toThrow(
          expect.objectContaining({ code: 'EXCHANGE_NOT_ELIGIBLE', details: { policy: 'savings-plan-services-2027' } }),
        );
        expect(exchangePolicyFor('2027-01-31T23:59:59.999Z').id).toBe('vm-size-flexibility-2024');
        expect(
          orderDecider.decide(
            exchange({ quantity: 1, purchase: buying(), now: '2027-03-01T00:00:00.000Z' }),
            fold(orderDecider, boughtAt('2027-01-31T23:59:59.999Z')),
          )[0].type,
        ).toBe('ReservationPaymentRecorded');
      });

      it('returns several reservations of the order in one append, for one purchase worth at least all they give back', () => {
        const events = orderDecider.decide(
          {
            type: 'ExchangeReservations',
            data: {
              exchangeId: 'xc-1',
              returns: [
                { reservationId: 'r-1', quantity: 1, currentUnitPriceUsd: 1_000 },
                { reservationId: 'r-2', quantity: 1, currentUnitPriceUsd: 1_000 },
              ],
              heldElsewhere: [{ reservationId: 'z-1', refundUsd: 10, remainingCommitmentUsd: 100 }],
              purchase: buying({ quantity: 1 }),
              now: later,
            },
          },
          fold(orderDecider, held),
        );
        expect(events.map((e) => [e.type, (e.data as { reservationId: string }).reservationId])).toEqual([
          ['ReservationExchanged', 'r-1'],
          ['ReservationExchanged', 'r-2'],
          ['ReservationProvisioned', 'x-1'],
          ['ReservationPaymentRecorded', 'x-1'],
        ]);
        expect((events[2].data as ReservationProvisionedData).origin).toEqual({
          type: 'exchange',
          reservationIds: ['r-1', 'r-2', 'z-1'],
        });
      });

      it('writes nothing for the same exchange again', () =>
        spec
          .given([
            ...held,
            ...orderDecider.decide(exchange({ quantity: 1, purchase: buying() }), fold(orderDecider, held)),
          ])
          .when(exchange({ quantity: 1, purchase: buying() }))
          .thenNothingHappens());

      describe('held for an exchange decided on another order', () => {
        const hold: OrderCommand = {
          type: 'HoldForExchange',
          data: {
            reservationId: 'r-1',
            exchangeId: 'xc-1',
            quantity: 2,
            currentUnitPriceUsd: 1_000,
            purchase: { item: d8 },
            now: later,
          },
        };
        const heldEvent: OrderEvent = {
          type: 'ReservationExchangeHeld',
          data: {
            reservationId: 'r-1',
            customerId: 'c-1',
            exchangeId: 'xc-1',
            quantity: 2,
            refundUsd: 166.66,
            remainingCommitmentUsd: 1_833.34,
            heldAt: later,
          },
        };
        const release: OrderCommand = {
          type: 'ReleaseExchangeHold',
          data: { reservationId: 'r-1', exchangeId: 'xc-1', newReservationId: 'x-1', reason: 'refused', now: later },
        };

        it('holds it, valued as the exchange will return it, once', () => {
          spec.given(held).when(hold).then([heldEvent]);
          spec
            .given([...held, heldEvent])
            .when(hold)
            .thenNothingHappens();
        });

        it('refuses the partner’s other changes while held (409 EXCHANGE_IN_PROGRESS), and takes no payment until it ends', () => {
          spec
            .given([...held, heldEvent])
            .when({
              type: 'ChangeReservation',
              data: { reservationId: 'r-1', change: { type: 'SetAutoRenew', data: { autoRenew: true, now: later } } },
            })
            .thenRefuses('EXCHANGE_IN_PROGRESS');
          spec
            .given([...held, heldEvent])
            .when({ type: 'SplitReservation', data: { reservationId: 'r-1', into, now: later } })
            .thenRefuses('EXCHANGE_IN_PROGRESS');
          spec
            .given([...held, heldEvent])
            .when({
              type: 'ChangeReservation',
              data: {
                reservationId: 'r-1',
                change: { type: 'RecordDuePayments', data: { now: '2027-03-01T00:00:00.000Z' } },
              },
            })
            .thenNothingHappens();
        });

        it('completes with the values of its hold, once', () => {
          const complete: OrderCommand = {
            type: 'CompleteHeldExchange',
            data: { reservationId: 'r-1', exchangeId: 'xc-1', newReservationId: 'x-1', newCommitmentUsd: 2_000 },
          };
          const done = orderDecider.decide(complete, fold(orderDecider, [...held, heldEvent]));
          expect(done).toEqual([
            expect.objectContaining({
              type: 'ReservationExchanged',
              data: expect.objectContaining({
                quantity: 2,
                remainingQuantity: 1,
                refundUsd: 166.66,
                newReservationId: 'x-1',
              }),
            }),
          ]);
          spec
            .given([...held, heldEvent, ...done])
            .when(complete)
            .thenNothingHappens();
          spec.given(held).when(complete).thenRefuses('EXCHANGE_NOT_HELD');
        });

        it('is given back when the exchange is refused, and a hold arriving after that is refused', () => {
          const released: OrderEvent = {
            type: 'ReservationExchangeReleased',
            data: { reservationId: 'r-1', exchangeId: 'xc-1', reason: 'refused', releasedAt: later },
          };
          spec
            .given([...held, heldEvent])
            .when(release)
            .then([released]);
          spec
            .given([...held, heldEvent, released])
            .when(release)
            .thenNothingHappens();
          spec
            .given([...held, released])
            .when(hold)
            .thenRefuses('EXCHANGE_RELEASED');
          // Free again: it can be changed.
          spec
            .given([...held, heldEvent, released])
            .when({
              type: 'ChangeReservation',
              data: { reservationId: 'r-1', change: { type: 'SetAutoRenew', data: { autoRenew: true, now: later } } },
            })
            .then([{ type: 'ReservationAutoRenewSet', data: { reservationId: 'r-1', autoRenew: true, setAt: later } }]);
        });
      });
    });

    it('answers 404 for a reservation the order does not hold', () =>
      spec
        .given(held)
        .when({
          type: 'ChangeReservation',
          data: { reservationId: 'nope', change: { type: 'SetAutoRenew', data: { autoRenew: true, now } } },
        })
        .thenRefuses('RESERVATION_NOT_FOUND'));
  });

  it('reads an order completed before lines recorded their provisioning', () => {
    const order = fold(orderDecider, [orderPlaced, completed]) as PlacedOrder;
    expect(order).toMatchObject({
      status: 'completed',
      reservationIds: ['r-1'],
      timeline: [
        { status: 'pending', at: now },
        { status: 'completed', at: later },
      ],
    });
    expect(order.lines[0].provisioning).toEqual({ status: 'provisioned', reservationId: 'r-1' });
  });
});
