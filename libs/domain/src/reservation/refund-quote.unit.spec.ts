import { provisionedReservation } from '../../testing/reservation.fixture';
import { refundQuote } from './refund-quote';
import { ActiveReservation, evolveReservation } from './reservation';
import { splitReservations } from './reservation-changes';

/** Three units bought for 2026 at USD 1,000 each, upfront. */
const base = evolveReservation(
  { status: 'none' },
  {
    type: 'ReservationProvisioned',
    data: provisionedReservation({
      billingPlan: 'Upfront',
      appliedSubscriptionIds: ['s-1'],
      effectiveDate: '2026-01-01T00:00:00.000Z',
      expiryDate: '2027-01-01T00:00:00.000Z',
    }),
  },
) as ActiveReservation;
const now = '2026-07-02T12:00:00.000Z';

describe('refund quote', () => {
  it('prorates the remaining term by whole days, at the purchase price when today’s is higher', () => {
    // 2026-07-02T12:00: 182 whole days of 2026 (365) are over, so 183 remain, today included.
    expect(refundQuote(base, 1_200, now)).toEqual({
      refundUsd: 1_504.1,
      remainingShare: 183 / 365,
      remainingDays: 183,
      termDays: 365,
      unitPriceUsd: 1_000,
    });
    // Not by the millisecond: the whole day costs the same from its first minute to its last.
    expect(refundQuote(base, 1_200, '2026-07-02T00:00:01.000Z').refundUsd).toBe(
      refundQuote(base, 1_200, '2026-07-02T23:59:59.000Z').refundUsd,
    );
  });

  it('uses today’s price when it is lower', () => {
    expect(refundQuote(base, 600, now).refundUsd).toBe(902.46);
  });

  it('refunds everything at the start, nothing at or after the end', () => {
    expect(refundQuote(base, 1_000, base.effectiveDate).refundUsd).toBe(3_000);
    expect(refundQuote(base, 1_000, base.expiryDate).refundUsd).toBe(0);
    expect(refundQuote(base, 1_000, '2027-06-01T00:00:00.000Z').refundUsd).toBe(0);
  });

  it('measures the term from its start, which a split part keeps, so it refunds like its original', () => {
    const [part] = splitReservations(base, [{ reservationId: 'r-2', quantity: 1 }], now);
    expect(refundQuote({ ...part, status: 'Succeeded', autoRenew: false }, 1_000, now).refundUsd).toBe(501.36);
    // A part recorded before parts kept their term's start: measured back from the end date.
    const older = {
      ...base,
      effectiveDate: now,
      quantity: 1,
      origin: { type: 'split' as const, reservationIds: ['r-1'] },
    };
    expect(refundQuote(older, 1_000, now).refundUsd).toBe(501.36);
  });

  it('rounds down to the cent (245 of 365 days left of USD 100 is 67.123…)', () => {
    // 2026-05-01T00:00: 120 whole days are over, 245 remain.
    expect(refundQuote({ ...base, quantity: 1, unitPriceUsd: 100 }, 100, '2026-05-01T00:00:00.000Z').refundUsd).toBe(
      67.12,
    );
  });

  it('computes in whole cents, losing no cent to a floating-point share: 30 of 366 days of USD 1,940.41 is exactly 159.05', () => {
    const ds3: ActiveReservation = {
      ...base,
      quantity: 1,
      unitPriceUsd: 1_940.41,
      purchasedAt: '2027-05-03T10:00:30.000Z',
      effectiveDate: '2027-05-03T10:00:30.000Z',
      expiryDate: '2028-05-03T10:00:30.000Z',
    };
    // ⌊194,041 × 30 ÷ 366⌋ = 15,905 exactly; 194,041 × (30/366) in floating point is 15,904.99…
    expect(refundQuote(ds3, 1_940.41, '2028-04-03T10:00:30.000Z')).toMatchObject({
      remainingDays: 30,
      termDays: 366,
      refundUsd: 159.05,
    });
  });

  it('sweeps every day of a leap-year term: a day less each day, full on the first, nothing at the end, the quotient floored in cents', () => {
    const leap: ActiveReservation = {
      ...base,
      quantity: 3,
      unitPriceUsd: 1_186.54,
      purchasedAt: '2027-06-15T08:00:00.000Z',
      expiryDate: '2028-06-15T08:00:00.000Z',
    };
    const start = Date.parse(leap.purchasedAt!);
    for (let day = 0; day <= 366; day++) {
      const at = new Date(start + day * 86_400_000 + 3_600_000).toISOString();
      const quote = refundQuote(leap, 2_000, at);
      expect({ day, termDays: quote.termDays, remainingDays: quote.remainingDays }).toEqual({
        day,
        termDays: 366,
        remainingDays: 366 - day,
      });
      // Checked apart, in exact integers.
      expect(BigInt(Math.round(quote.refundUsd * 100))).toBe((118_654n * 3n * BigInt(366 - day)) / 366n);
    }
  });
});
