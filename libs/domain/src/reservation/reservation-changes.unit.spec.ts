import { ActiveReservation } from './reservation';
import { mergedReservation, splitReservations } from './reservation-changes';
import { provisionedReservation } from '../../testing/reservation.fixture';

const base: ActiveReservation = {
  ...provisionedReservation({
    billingPlan: 'Upfront',
    appliedSubscriptionIds: ['s-1'],
    effectiveDate: '2026-01-01T00:00:00.000Z',
    expiryDate: '2027-01-01T00:00:00.000Z',
  }),
  status: 'Succeeded',
  autoRenew: false,
};
const now = '2026-07-02T12:00:00.000Z';

describe('split', () => {
  it('creates two reservations with the given quantities, the same end date, applying from now', () => {
    const parts = splitReservations(
      base,
      [
        { reservationId: 'r-2', quantity: 1 },
        { reservationId: 'r-3', quantity: 2 },
      ],
      now,
    );
    expect(parts.map((p) => [p.reservationId, p.quantity, p.expiryDate, p.effectiveDate, p.unitPriceUsd])).toEqual([
      ['r-2', 1, base.expiryDate, now, 1_000],
      ['r-3', 2, base.expiryDate, now, 1_000],
    ]);
    expect(parts[0].origin).toEqual({ type: 'split', reservationIds: ['r-1'] });
  });

  it('keeps what was bought, not what happened to the source since (its renewal, its end)', () => {
    const renewed: ActiveReservation = {
      ...base,
      billingSubscriptionId: 's-1',
      autoRenew: true,
      renewalUnitPriceUsd: 900,
      renewalOrderId: 'o-renewal',
      renewalSettings: { quantity: 5, term: 'P3Y', billingPlan: 'Monthly' },
      endedAt: now,
    };
    const [part] = splitReservations(renewed, [{ reservationId: 'r-2', quantity: 1 }], now);
    expect(Object.keys(part).sort()).toEqual(
      [
        'reservationId',
        'orderId',
        'orderNumber',
        'lineNumber',
        'customerId',
        'partnerId',
        'catalogItemId',
        'armSkuName',
        'region',
        'flexibilityGroup',
        'ratio',
        'quantity',
        'term',
        'billingPlan',
        'scope',
        'appliedSubscriptionIds',
        'effectiveDate',
        'expiryDate',
        'purchasedAt',
        'payments',
        'unitPriceUsd',
        'autoRenew',
        'billingSubscriptionId',
        'origin',
      ].sort(),
    );
    // A split cancels the renewal, as in Azure; the term and the upfront payment are the source's.
    expect(part).toMatchObject({ billingSubscriptionId: 's-1', autoRenew: false, purchasedAt: base.effectiveDate });
    expect(
      splitReservations({ ...base, autoRenew: true }, [{ reservationId: 'r-2', quantity: 1 }], now)[0].autoRenew,
    ).toBe(false);
  });

  it('passes on no payment: an upfront source paid for its parts, a monthly one goes on with its schedule (issue #26)', () => {
    const [upfront] = splitReservations(
      { ...base, billingPlan: 'Upfront' },
      [{ reservationId: 'r-2', quantity: 1 }],
      now,
    );
    expect(upfront.payments).toEqual({ startDate: base.effectiveDate, recorded: 1 });
    const [monthly] = splitReservations(
      { ...base, billingPlan: 'Monthly', paymentsRecorded: 5 },
      [{ reservationId: 'r-2', quantity: 1 }],
      now,
    );
    expect(monthly.payments).toEqual({ startDate: base.effectiveDate, recorded: 5 });
  });
});

describe('merge', () => {
  const other: ActiveReservation = {
    ...base,
    reservationId: 'r-2',
    quantity: 1,
    unitPriceUsd: 800,
    scope: { type: 'single', subscriptionId: 's-1' },
  };

  it('sums the quantities at the quantity-weighted price, keeping the first scope and the end date', () => {
    const merged = mergedReservation([base, other], 'r-9', now);
    expect(merged).toMatchObject({
      reservationId: 'r-9',
      quantity: 4,
      unitPriceUsd: 950,
      scope: { type: 'shared' },
      expiryDate: base.expiryDate,
      effectiveDate: now,
      origin: { type: 'merge', reservationIds: ['r-1', 'r-2'] },
    });
  });

  it.each([
    ['armSkuName', 'Standard_D8s_v5'],
    ['region', 'eastus'],
    ['term', 'P3Y'],
    ['billingPlan', 'Monthly'],
    ['expiryDate', '2027-01-01T00:00:01.000Z'],
    ['customerId', 'c-2'],
  ])('refuses sources that differ in %s', (key, value) => {
    expect(() => mergedReservation([base, { ...other, [key]: value }], 'r-9', now)).toThrow(
      expect.objectContaining({ code: 'MERGE_MISMATCH' }),
    );
  });

  it('refuses monthly sources at different points of their payment schedules, and goes on with the one they share', () => {
    const monthly: ActiveReservation = { ...base, billingPlan: 'Monthly', paymentsRecorded: 6 };
    const behind = { ...monthly, ...other, billingPlan: 'Monthly' as const, paymentsRecorded: 5 };
    expect(() => mergedReservation([monthly, behind], 'r-9', now)).toThrow(
      expect.objectContaining({ code: 'MERGE_MISMATCH' }),
    );
    const elsewhere = {
      ...behind,
      paymentsRecorded: 6,
      payments: { startDate: '2026-01-15T00:00:00.000Z', recorded: 2 },
    };
    expect(() => mergedReservation([monthly, elsewhere], 'r-9', now)).toThrow(
      expect.objectContaining({ code: 'MERGE_MISMATCH' }),
    );
    expect(mergedReservation([monthly, { ...behind, paymentsRecorded: 6 }], 'r-9', now).payments).toEqual({
      startDate: base.effectiveDate,
      recorded: 6,
    });
  });

  it('refuses fewer than two different reservations', () => {
    expect(() => mergedReservation([base, base], 'r-9', now)).toThrow(
      expect.objectContaining({ code: 'MERGE_NEEDS_TWO' }),
    );
  });
});
