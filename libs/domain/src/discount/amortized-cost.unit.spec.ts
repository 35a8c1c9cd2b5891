import { AmortizedReservation, amortizedCostsOfDay, hourlyCostUsd, ReservationHourUse } from './amortized-cost';

// A one-year reservation over 2026 (8,760 hours) for 8,760 USD: one dollar an hour.
const reservation = (overrides: Partial<AmortizedReservation> = {}): AmortizedReservation => ({
  reservationId: 'r-1',
  quantity: 1,
  unitPriceUsd: 8_760,
  effectiveDate: '2026-01-01T00:00:00.000Z',
  expiryDate: '2027-01-01T00:00:00.000Z',
  term: 'P1Y',
  billingSubscriptionId: 's-bill',
  ...overrides,
});
const DATE = '2026-06-01';
const hourOf = (h: number) => `${DATE}T${String(h).padStart(2, '0')}:00:00.000Z`;
const LATER = '2026-12-01T00:00:00.000Z';

describe('amortized cost of a day', () => {
  it('spreads the price evenly over the hours of the term', () => {
    expect(hourlyCostUsd(reservation())).toBe(1);
    expect(hourlyCostUsd(reservation({ quantity: 3 }))).toBe(3);
  });

  it('spreads a split part’s price over the term it finishes, so the day of a split costs what any other day does', () => {
    // Quantity 2 split 1 + 1 at 10:30: the source charges up to the split, each part from 11:00, all at the source's 1 USD a VM-hour.
    const splitAt = `${DATE}T10:30:00.000Z`;
    const source = reservation({ quantity: 2, endedAt: splitAt });
    const parts = ['r-a', 'r-b'].map((reservationId) => reservation({ reservationId, effectiveDate: splitAt }));
    expect(hourlyCostUsd(parts[0])).toBe(1);
    const rows = amortizedCostsOfDay({
      date: DATE,
      reservations: [source, ...parts],
      usageChargesBySubscription: {},
      use: () => ({}),
      now: LATER,
    });
    expect(rows.map((row) => [row.chargeType === 'UnusedReservation' && row.reservationId, row.costUsd])).toEqual([
      ['r-1', 22], // 00:00 to 11:00, two VMs
      ['r-a', 13],
      ['r-b', 13],
    ]);
  });

  it('charges the hours a subscription used to it, and shows the rest as an UnusedReservation charge on the billing subscription', () => {
    // Used in full for the first 12 hours of the day by s-1, idle after.
    const use: Record<string, ReservationHourUse> = Object.fromEntries(
      Array.from({ length: 12 }, (_, h) => [hourOf(h), { usedHours: 1, bySubscription: { 's-1': 1 } }]),
    );
    const rows = amortizedCostsOfDay({
      date: DATE,
      reservations: [reservation()],
      usageChargesBySubscription: { 's-1': 5 },
      use: () => use,
      now: LATER,
    });
    expect(rows).toEqual([
      {
        date: DATE,
        subscriptionId: 's-1',
        chargeType: 'Usage',
        payAsYouGoChargesUsd: 5,
        reservationChargesUsd: 12,
        costUsd: 17,
      },
      {
        date: DATE,
        subscriptionId: 's-bill',
        chargeType: 'UnusedReservation',
        reservationId: 'r-1',
        unusedHours: 12,
        costUsd: 12,
      },
    ]);
  });

  it('charges what it held each hour: a return at noon leaves the morning at the old quantity and the price of each remaining VM as it was', () => {
    // Held 2 until a return of 1 at 11:40 (effective 12:00), idle all day: 12 h × 2 + 12 h × 1 = 36 unused VM-hours at 1 USD.
    const returned = reservation({ quantity: 1, returns: [{ quantity: 1, returnedAt: `${DATE}T11:40:00.000Z` }] });
    const rows = amortizedCostsOfDay({
      date: DATE,
      reservations: [returned],
      usageChargesBySubscription: {},
      use: () => ({}),
      now: LATER,
    });
    expect(rows).toEqual([
      {
        date: DATE,
        subscriptionId: 's-bill',
        chargeType: 'UnusedReservation',
        reservationId: 'r-1',
        unusedHours: 36,
        costUsd: 36,
      },
    ]);
  });

  it('shows an idle day as unused in full (use it or lose it)', () => {
    const rows = amortizedCostsOfDay({
      date: DATE,
      reservations: [reservation()],
      usageChargesBySubscription: {},
      use: () => ({}),
      now: LATER,
    });
    expect(rows).toEqual([
      {
        date: DATE,
        subscriptionId: 's-bill',
        chargeType: 'UnusedReservation',
        reservationId: 'r-1',
        unusedHours: 24,
        costUsd: 24,
      },
    ]);
  });

  it('shares an hour between the subscriptions that used it, in proportion to their use, and always adds up to the reservation’s cost', () => {
    const shared = reservation({ quantity: 2, unitPriceUsd: 8_760 }); // 2 USD an hour
    const use = { [hourOf(10)]: { usedHours: 1.5, bySubscription: { 's-1': 0.5, 's-2': 1 } } };
    const rows = amortizedCostsOfDay({
      date: DATE,
      reservations: [shared],
      usageChargesBySubscription: {},
      use: () => use,
      now: LATER,
    });
    expect(rows).toEqual([
      {
        date: DATE,
        subscriptionId: 's-1',
        chargeType: 'Usage',
        payAsYouGoChargesUsd: 0,
        reservationChargesUsd: 0.5,
        costUsd: 0.5,
      },
      {
        date: DATE,
        subscriptionId: 's-2',
        chargeType: 'Usage',
        payAsYouGoChargesUsd: 0,
        reservationChargesUsd: 1,
        costUsd: 1,
      },
      {
        date: DATE,
        subscriptionId: 's-bill',
        chargeType: 'UnusedReservation',
        reservationId: 'r-1',
        unusedHours: 46.5,
        costUsd: 46.5,
      },
    ]);
    expect(rows.reduce((sum, row) => sum + row.costUsd, 0)).toBeCloseTo(24 * 2, 9);
  });

  it('charges an older event’s use, which does not say by whom, to the billing subscription', () => {
    const use = { [hourOf(0)]: { usedHours: 1 } };
    const rows = amortizedCostsOfDay({
      date: DATE,
      reservations: [reservation()],
      usageChargesBySubscription: {},
      use: () => use,
      now: LATER,
    });
    expect(rows[0]).toEqual({
      date: DATE,
      subscriptionId: 's-bill',
      chargeType: 'Usage',
      payAsYouGoChargesUsd: 0,
      reservationChargesUsd: 1,
      costUsd: 1,
    });
  });

  it('counts only the hours it was in effect: from the first whole hour, until it ended, and not beyond now', () => {
    const startsMidDay = reservation({
      effectiveDate: `${DATE}T09:30:00.000Z`,
      expiryDate: '2027-06-01T09:30:00.000Z',
    });
    const cancelled = reservation({ reservationId: 'r-2', endedAt: `${DATE}T06:00:00.000Z` });
    const rows = amortizedCostsOfDay({
      date: DATE,
      reservations: [startsMidDay, cancelled, reservation({ reservationId: 'r-3' })],
      usageChargesBySubscription: {},
      use: () => ({}),
      now: `${DATE}T20:00:00.000Z`,
    });
    expect(
      rows.map((row) => (row.chargeType === 'UnusedReservation' ? [row.reservationId, row.unusedHours] : [])),
    ).toEqual([
      ['r-1', 10], // 10:00 to 20:00
      ['r-2', 6], // 00:00 to 06:00
      ['r-3', 20], // 00:00 to 20:00
    ]);
  });
});
