import { provisionedReservation } from '../../testing/reservation.fixture';
import { fold } from '../shared/decider';
import { deciderSpecification } from '../../testing/decider-specification';
import { monthlyCancellation, paymentsAtPurchase, paymentSchedule } from './payment-schedule';
import { splitReservations } from './reservation-changes';
import { reservationDecider } from './reservation.decider';
import { ReservationEvent } from './reservation.events';

// Three D4s_v5 for a year from 2026-01-15, at USD 1,000.01 a unit: 3,000.03 in all.
const bought = provisionedReservation({
  billingPlan: 'Monthly',
  unitPriceUsd: 1_000.01,
  effectiveDate: '2026-01-15T10:00:00.000Z',
  expiryDate: '2027-01-15T10:00:00.000Z',
});
const provisioned: ReservationEvent = { type: 'ReservationProvisioned', data: bought };
const spec = deciderSpecification(reservationDecider);
const paid = (paymentNumber: number, amountUsd: number, dueAt: string, quantity = 3): ReservationEvent => ({
  type: 'ReservationPaymentRecorded',
  data: { reservationId: 'r-1', customerId: 'c-1', paymentNumber, amountUsd, quantity, dueAt, recordedAt: dueAt },
});

describe('monthly billing plan', () => {
  it('has one payment per month of the term, the first at purchase, adding up to exactly the upfront price', () => {
    const schedule = paymentSchedule({ ...bought, status: 'Succeeded', autoRenew: false } as never);
    expect(schedule).toHaveLength(12);
    expect(schedule.slice(0, 2)).toEqual([
      { paymentNumber: 1, dueAt: '2026-01-15T10:00:00.000Z', amountUsd: 249.99, quantity: 3 },
      { paymentNumber: 2, dueAt: '2026-02-15T10:00:00.000Z', amountUsd: 249.99, quantity: 3 },
    ]);
    // 100,001 cents a unit: 11 months of 8,333 and 8,338 for the last, times 3 units.
    expect(schedule.at(-1)).toEqual({
      paymentNumber: 12,
      dueAt: '2026-12-15T10:00:00.000Z',
      amountUsd: 250.14,
      quantity: 3,
    });
    expect(Math.round(schedule.reduce((total, p) => total + p.amountUsd * 100, 0))).toBe(300_003);
    expect(paymentSchedule({ ...bought, billingPlan: 'Upfront' } as never)).toEqual([
      { paymentNumber: 1, dueAt: bought.effectiveDate, amountUsd: 3_000.03, quantity: 3 },
    ]);
  });

  it('falls due on calendar anniversaries: bought on 31 January, it pays on 28 February, 31 March, 30 April (issue #26)', () => {
    const january = provisionedReservation({
      billingPlan: 'Monthly',
      effectiveDate: '2027-01-31T09:00:00.000Z',
      expiryDate: '2028-01-31T09:00:00.000Z',
      purchasedAt: '2027-01-31T09:00:00.000Z',
    });
    expect(
      paymentSchedule(january)
        .slice(0, 4)
        .map((p) => p.dueAt),
    ).toEqual([
      '2027-01-31T09:00:00.000Z',
      '2027-02-28T09:00:00.000Z',
      '2027-03-31T09:00:00.000Z',
      '2027-04-30T09:00:00.000Z',
    ]);
    // One payment in every month of the term, none twice in a month.
    const months = paymentSchedule(january).map((p) => p.dueAt.slice(0, 7));
    expect(new Set(months).size).toBe(12);
    expect(months.at(-1)).toBe('2027-12');
  });

  it('takes an upfront reservation’s one payment as it is bought, and none for the parts of its split (issue #26)', () => {
    const upfront = provisionedReservation({ billingPlan: 'Upfront', unitPriceUsd: 1_000 });
    expect(paymentsAtPurchase(upfront, upfront.effectiveDate)).toEqual([
      {
        type: 'ReservationPaymentRecorded',
        data: {
          reservationId: 'r-1',
          customerId: 'c-1',
          paymentNumber: 1,
          amountUsd: 3_000,
          quantity: 3,
          dueAt: upfront.effectiveDate,
          recordedAt: upfront.effectiveDate,
        },
      },
    ]);
    const state = fold(reservationDecider, [
      { type: 'ReservationProvisioned', data: upfront },
      ...paymentsAtPurchase(upfront, upfront.effectiveDate),
    ]);
    const parts = splitReservations(
      state as never,
      [
        { reservationId: 'r-2', quantity: 1 },
        { reservationId: 'r-3', quantity: 2 },
      ],
      '2026-06-01T00:00:00.000Z',
    );
    expect(parts.flatMap((part) => paymentsAtPurchase(part, '2026-06-01T00:00:00.000Z'))).toEqual([]);
  });

  it('records the payments fallen due when the daily pass asks, once each, catching up on missed days', () =>
    spec
      .given([provisioned, paid(1, 249.99, '2026-01-15T10:00:00.000Z')])
      .when({ type: 'RecordDuePayments', data: { now: '2026-03-16T00:05:00.000Z' } })
      .then(
        [paid(2, 249.99, '2026-02-15T10:00:00.000Z'), paid(3, 249.99, '2026-03-15T10:00:00.000Z')].map(
          (e) => ({ ...e, data: { ...e.data, recordedAt: '2026-03-16T00:05:00.000Z' } }) as ReservationEvent,
        ),
      ));

  it('takes no payment from an upfront reservation, nor after a cancellation', () => {
    spec
      .given([{ ...provisioned, data: { ...bought, billingPlan: 'Upfront' } }])
      .when({ type: 'RecordDuePayments', data: { now: '2026-06-01T00:00:00.000Z' } })
      .thenNothingHappens();
    spec
      .given([
        provisioned,
        {
          type: 'ReservationCancelled',
          data: { reservationId: 'r-1', customerId: 'c-1', refundUsd: 0, cancelledAt: '2026-01-20T00:00:00.000Z' },
        },
      ])
      .when({ type: 'RecordDuePayments', data: { now: '2026-06-01T00:00:00.000Z' } })
      .thenNothingHappens();
  });

  it('cancelling stops the future payments; they count toward the cap at the purchase price, and the refund of what was paid ahead uses the lower price', () => {
    // Cancelled on 2026-03-20 at noon with payments 1–3 taken: 64 whole days are over, 301 of 365 remain.
    const state = fold(reservationDecider, [
      provisioned,
      paid(1, 249.99, ''),
      paid(2, 249.99, ''),
      paid(3, 249.99, ''),
    ]);
    if (state.status === 'none') throw new Error('no reservation');
    const cancelled = monthlyCancellation(state, 800, '2026-03-20T12:00:00.000Z');
    // Commitment left at the purchase price: 300,003 cents × 301/365 = 2,473.99; future payments 4–12: 8 × 249.99 + 250.14 = 2,250.06.
    expect(cancelled.countedUsd).toBe(2_473.99);
    expect(cancelled.cancelledFuturePaymentsUsd).toBe(2_250.06);
    // Paid ahead: 223.93 at the purchase price, refunded at 800 / 1,000.01 of it: 179.14.
    expect(cancelled.refundUsd).toBe(179.14);
  });

  it('refunds what was paid ahead in whole cents: USD 79.54, not the 79.53 a floating-point share gave', () => {
    const japan = provisionedReservation({
      billingPlan: 'Monthly',
      quantity: 1,
      unitPriceUsd: 1_271.53,
      purchasedAt: '2029-02-19T20:28:30.000Z',
      effectiveDate: '2029-02-19T20:28:30.000Z',
      expiryDate: '2030-02-19T20:28:30.000Z',
    });
    const paidTwo = fold(reservationDecider, [
      { type: 'ReservationProvisioned', data: japan },
      paid(1, 105.96, '2029-02-19T20:28:30.000Z', 1),
      paid(2, 105.96, '2029-03-19T20:28:30.000Z', 1),
    ]) as never;
    // Commitment ⌊127,153 × 326 ÷ 365⌋ = 113,915 cents; ten payments left, 105,961; paid ahead 7,954.
    expect(monthlyCancellation(paidTwo, 1_271.53, '2029-03-30T18:33:30.000Z')).toEqual({
      refundUsd: 79.54,
      countedUsd: 1_139.15,
      cancelledFuturePaymentsUsd: 1_059.61,
    });
  });
});
