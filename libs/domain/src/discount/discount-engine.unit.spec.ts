import { Catalog } from '../catalog/catalog';
import { applyReservationDiscounts, ReservationBenefit, UsageRecord } from './discount-engine';

const catalog = Catalog.shipped();
const sizeOf = (vmSize: string) => catalog.sizeOf(vmSize);
const HOUR = '2026-06-01T10:00:00.000Z';
const NEXT_HOUR = '2026-06-01T11:00:00.000Z';

let counter = 0;
const usage = (overrides: Partial<UsageRecord> = {}): UsageRecord => ({
  recordId: `u-${++counter}`,
  customerId: 'c-1',
  subscriptionId: 's-1',
  resourceId: `vm-${counter}`,
  region: 'westeurope',
  vmSize: 'Standard_DS1_v2',
  hour: HOUR,
  quantity: 1,
  payAsYouGoRateUsd: 0.1,
  ...overrides,
});

const reservation = (overrides: Partial<ReservationBenefit> = {}): ReservationBenefit => ({
  reservationId: 'r-1',
  customerId: 'c-1',
  region: 'westeurope',
  flexibilityGroup: 'DSv2 Series',
  ratio: 1,
  quantity: 1,
  scope: { type: 'shared' },
  effectiveDate: '2026-01-01T00:00:00.000Z',
  expiryDate: '2027-01-01T00:00:00.000Z',
  ...overrides,
});

const covered = (result: ReturnType<typeof applyReservationDiscounts>) => result.records.map((r) => r.coveredHours);

describe('reservation discount engine', () => {
  describe("Microsoft's examples", () => {
    it('one reservation, a 0.75 h VM and a 0.5 h VM in the same hour: 1 h covered, 0.25 h pay-as-you-go', () => {
      const result = applyReservationDiscounts(
        [usage({ quantity: 0.75 }), usage({ quantity: 0.5 })],
        [reservation()],
        sizeOf,
      );
      expect(covered(result)).toEqual([0.75, 0.25]);
      expect(result.records.map((r) => r.payAsYouGoHours)).toEqual([0, 0.25]);
      expect(result.records.reduce((sum, r) => sum + r.payAsYouGoHours, 0)).toBeCloseTo(0.25, 9);
      expect(result.utilization).toEqual([
        { reservationId: 'r-1', hour: HOUR, reservedHours: 1, usedHours: 1, bySubscription: { 's-1': 1 } },
      ]);
    });

    it('one reservation, two VMs running the whole hour: one is covered, the other pays as you go', () => {
      const result = applyReservationDiscounts([usage(), usage()], [reservation()], sizeOf);
      expect(covered(result)).toEqual([1, 0]);
      expect(result.records[1]).toMatchObject({ payAsYouGoHours: 1, discountedCostUsd: 0.1, savingsUsd: 0 });
      expect(result.records[0]).toMatchObject({ payAsYouGoCostUsd: 0.1, discountedCostUsd: 0, savingsUsd: 0.1 });
    });

    it('a DS4_v2 reservation (ratio 8) covers eight DS1_v2 VMs', () => {
      const ds1 = Array.from({ length: 9 }, () => usage({ vmSize: 'Standard_DS1_v2' }));
      const result = applyReservationDiscounts(ds1, [reservation({ ratio: 8 })], sizeOf);
      expect(covered(result)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0]);
      expect(result.utilization[0]).toMatchObject({ reservedHours: 1, usedHours: 1 });
    });

    it('a DS4_v2 reservation covers two DS2_v2 and one DS3_v2', () => {
      const result = applyReservationDiscounts(
        [
          usage({ vmSize: 'Standard_DS2_v2' }),
          usage({ vmSize: 'Standard_DS2_v2' }),
          usage({ vmSize: 'Standard_DS3_v2' }),
        ],
        [reservation({ ratio: 8 })],
        sizeOf,
      );
      expect(covered(result)).toEqual([1, 1, 1]);
    });

    it('a DS4_v2 reservation covers half of a DS5_v2 (ratio 16); the other half pays as you go', () => {
      const result = applyReservationDiscounts(
        [usage({ vmSize: 'Standard_DS5_v2', payAsYouGoRateUsd: 1.17 })],
        [reservation({ ratio: 8 })],
        sizeOf,
      );
      expect(result.records[0]).toMatchObject({
        coveredHours: 0.5,
        payAsYouGoHours: 0.5,
        discountedCostUsd: 0.585,
        savingsUsd: 0.585,
      });
    });
  });

  it('is use it or lose it: unused hours do not carry into the next hour', () => {
    const result = applyReservationDiscounts(
      [usage({ hour: NEXT_HOUR }), usage({ hour: NEXT_HOUR })],
      [reservation()],
      sizeOf,
    );
    expect(covered(result)).toEqual([1, 0]);
    const idle = applyReservationDiscounts(
      [usage({ hour: HOUR, quantity: 0 }), usage({ hour: NEXT_HOUR }), usage({ hour: NEXT_HOUR })],
      [reservation()],
      sizeOf,
    );
    expect(idle.utilization).toEqual([
      { reservationId: 'r-1', hour: HOUR, reservedHours: 1, usedHours: 0, bySubscription: {} },
      { reservationId: 'r-1', hour: NEXT_HOUR, reservedHours: 1, usedHours: 1, bySubscription: { 's-1': 1 } },
    ]);
  });

  it('says which subscription used how much of a reservation, in reserved-size hours', () => {
    // A DS2_v2 reservation (ratio 2): one DS1_v2 (ratio 1) hour in s-1 uses half of it, a quarter-hour of DS2_v2 in s-2 a quarter.
    const result = applyReservationDiscounts(
      [usage({ subscriptionId: 's-1' }), usage({ subscriptionId: 's-2', vmSize: 'Standard_DS2_v2', quantity: 0.25 })],
      [reservation({ ratio: 2 })],
      sizeOf,
    );
    expect(result.utilization).toEqual([
      {
        reservationId: 'r-1',
        hour: HOUR,
        reservedHours: 1,
        usedHours: 0.75,
        bySubscription: { 's-1': 0.5, 's-2': 0.25 },
      },
    ]);
  });

  it('counts quantity as VMs at the same time: quantity 3 covers three concurrent VMs', () => {
    const result = applyReservationDiscounts(
      [usage(), usage(), usage(), usage()],
      [reservation({ quantity: 3 })],
      sizeOf,
    );
    expect(covered(result)).toEqual([1, 1, 1, 0]);
  });

  it('matches only the same region and flexibility group', () => {
    const result = applyReservationDiscounts(
      [usage({ region: 'northeurope' }), usage({ vmSize: 'Standard_D1_v2' }), usage({ vmSize: 'Standard_D2s_v5' })],
      [reservation({ quantity: 10 })],
      sizeOf,
    );
    expect(covered(result)).toEqual([0, 0, 0]);
  });

  it('charges unknown sizes (not in the catalog) at pay-as-you-go', () => {
    const result = applyReservationDiscounts(
      [usage({ vmSize: 'Standard_NC24ads_A100_v4' })],
      [reservation({ quantity: 10 })],
      sizeOf,
    );
    expect(result.records[0]).toMatchObject({ coveredHours: 0, payAsYouGoHours: 1, allocations: [] });
  });

  describe('what a reservation covers', () => {
    it('covers compute only: a Windows VM’s licence is charged on every hour, covered or not', () => {
      const [record] = applyReservationDiscounts(
        [usage({ payAsYouGoRateUsd: 0.1, licenseRateUsd: 0.05 })],
        [reservation()],
        sizeOf,
      ).records;
      expect(record).toMatchObject({
        coveredHours: 1,
        payAsYouGoCostUsd: 0.15,
        discountedCostUsd: 0.05,
        savingsUsd: 0.1,
      });
    });

    it('never covers a spot VM', () => {
      const [spot, regular] = applyReservationDiscounts(
        [usage({ spot: true, recordId: 'a' }), usage({ recordId: 'b' })],
        [reservation()],
        sizeOf,
      ).records;
      expect([spot.coveredHours, spot.discountedCostUsd, regular.coveredHours]).toEqual([0, 0.1, 1]);
    });

    it('matches regions however they are written: West Europe, WestEurope and westeurope are one', () => {
      const result = applyReservationDiscounts(
        [
          usage({ region: 'West Europe', quantity: 0.5 }),
          usage({ region: 'WestEurope', quantity: 0.25 }),
          usage({ region: 'westeurope', quantity: 0.25 }),
        ],
        [reservation({ region: 'West Europe' })],
        sizeOf,
      );
      expect(covered(result)).toEqual([0.5, 0.25, 0.25]);
    });
  });

  describe('renewal', () => {
    it('bills no hour at pay-as-you-go across a renewal that takes effect the instant the old reservation expires', () => {
      // The old one expires mid-hour; its renewal, bought ahead, takes effect at that very instant.
      const expiry = '2026-06-01T10:25:00.000Z';
      const old = reservation({ reservationId: 'old', effectiveDate: '2025-06-01T10:25:00.000Z', expiryDate: expiry });
      const renewed = reservation({
        reservationId: 'renewal',
        effectiveDate: expiry,
        expiryDate: '2027-06-01T10:25:00.000Z',
      });
      const hours = ['08', '09', '10', '11', '12'].map((h) => `2026-06-01T${h}:00:00.000Z`);
      const result = applyReservationDiscounts(
        hours.map((hour) => usage({ hour })),
        [old, renewed],
        sizeOf,
      );
      expect(result.records.map((r) => [r.hour.slice(11, 13), r.payAsYouGoHours])).toEqual(
        hours.map((h) => [h.slice(11, 13), 0]),
      );
    });
  });

  describe('scope', () => {
    it('applies single-scope reservations before shared ones', () => {
      const shared = reservation({ reservationId: 'r-shared', effectiveDate: '2025-01-01T00:00:00.000Z' });
      const single = reservation({
        reservationId: 'r-single',
        scope: { type: 'single', subscriptionId: 's-1' },
        effectiveDate: '2026-05-01T00:00:00.000Z',
      });
      const result = applyReservationDiscounts(
        [usage({ subscriptionId: 's-1' }), usage({ subscriptionId: 's-2' })],
        [shared, single],
        sizeOf,
      );
      expect(result.records.map((r) => r.allocations)).toEqual([
        [{ reservationId: 'r-single', hours: 1 }],
        [{ reservationId: 'r-shared', hours: 1 }],
      ]);
    });

    it('keeps a single-scope reservation to its subscription', () => {
      const single = reservation({ scope: { type: 'single', subscriptionId: 's-1' }, quantity: 5 });
      const result = applyReservationDiscounts([usage({ subscriptionId: 's-2' })], [single], sizeOf);
      expect(covered(result)).toEqual([0]);
    });

    it("shares a shared reservation across the customer's subscriptions, never with another customer", () => {
      const result = applyReservationDiscounts(
        [
          usage({ subscriptionId: 's-1' }),
          usage({ subscriptionId: 's-9' }),
          usage({ customerId: 'c-2', subscriptionId: 's-x' }),
        ],
        [reservation({ quantity: 5 })],
        sizeOf,
      );
      expect(covered(result)).toEqual([1, 1, 0]);
    });

    it('applies the narrowest scope first: resource group, single subscription, management group, shared — even when the broader one is older', () => {
      // s-1 and s-2 are in management group mg-1; s-3 is in none.
      const inGroup = (subscriptionId: string) =>
        subscriptionId === 's-1' || subscriptionId === 's-2' ? 'mg-1' : undefined;
      const reservations = [
        reservation({ reservationId: 'r-shared', effectiveDate: '2024-01-01T00:00:00.000Z' }),
        reservation({
          reservationId: 'r-mg',
          scope: { type: 'managementGroup', managementGroupId: 'mg-1' },
          effectiveDate: '2025-01-01T00:00:00.000Z',
        }),
        reservation({
          reservationId: 'r-single',
          scope: { type: 'single', subscriptionId: 's-1' },
          effectiveDate: '2025-06-01T00:00:00.000Z',
        }),
        reservation({
          reservationId: 'r-rg',
          scope: { type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'rg-app' },
          effectiveDate: '2026-01-01T00:00:00.000Z',
        }),
      ];
      const result = applyReservationDiscounts(
        [
          usage({ recordId: 'a', subscriptionId: 's-1', resourceGroup: 'rg-app' }),
          usage({ recordId: 'b', subscriptionId: 's-1', resourceGroup: 'rg-other' }),
          usage({ recordId: 'c', subscriptionId: 's-2' }),
          usage({ recordId: 'd', subscriptionId: 's-3' }),
        ],
        reservations,
        sizeOf,
        inGroup,
      );
      const byRecord = Object.fromEntries(
        result.records.map((r) => [r.recordId, r.allocations.map((a) => a.reservationId)]),
      );
      expect(byRecord).toEqual({ a: ['r-rg'], b: ['r-single'], c: ['r-mg'], d: ['r-shared'] });
    });

    it('keeps a resource-group reservation to that group of that subscription, named in the record or in its ARM resource id, in any case', () => {
      const rg = reservation({
        scope: { type: 'resourceGroup', subscriptionId: 's-1', resourceGroup: 'RG-App' },
        quantity: 5,
      });
      const result = applyReservationDiscounts(
        [
          usage({
            subscriptionId: 's-1',
            resourceId: '/subscriptions/s-1/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm1',
          }),
          usage({ subscriptionId: 's-1', resourceGroup: 'rg-app' }),
          usage({
            subscriptionId: 's-1',
            resourceId: '/subscriptions/s-1/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm2',
          }),
          usage({ subscriptionId: 's-1', resourceId: 'vm-without-group' }),
          usage({ subscriptionId: 's-2', resourceGroup: 'rg-app' }),
        ],
        [rg],
        sizeOf,
      );
      expect(covered(result)).toEqual([1, 1, 0, 0, 0]);
    });

    it('reaches a subscription through its management group only in the hours it was a member', () => {
      const mg = reservation({ scope: { type: 'managementGroup', managementGroupId: 'mg-1' }, quantity: 5 });
      // s-1 joined mg-1 at 11:00; s-2 was never a member.
      const memberFrom = (subscriptionId: string, hour: string) =>
        subscriptionId === 's-1' && hour >= NEXT_HOUR ? 'mg-1' : undefined;
      const result = applyReservationDiscounts(
        [
          usage({ subscriptionId: 's-1', hour: HOUR }),
          usage({ subscriptionId: 's-1', hour: NEXT_HOUR }),
          usage({ subscriptionId: 's-2', hour: NEXT_HOUR }),
        ],
        [mg],
        sizeOf,
        memberFrom,
      );
      expect(result.records.map((r) => [r.hour, r.subscriptionId, r.coveredHours])).toEqual([
        [HOUR, 's-1', 0],
        [NEXT_HOUR, 's-1', 1],
        [NEXT_HOUR, 's-2', 0],
      ]);
    });

    it('applies the earliest reservation first within a scope', () => {
      const later = reservation({ reservationId: 'r-later', effectiveDate: '2026-03-01T00:00:00.000Z' });
      const earlier = reservation({ reservationId: 'r-earlier', effectiveDate: '2026-02-01T00:00:00.000Z' });
      const result = applyReservationDiscounts([usage()], [later, earlier], sizeOf);
      expect(result.records[0].allocations).toEqual([{ reservationId: 'r-earlier', hours: 1 }]);
      expect(result.utilization.find((u) => u.reservationId === 'r-later')!.usedHours).toBe(0);
    });
  });

  it('ignores a reservation that is not yet effective, or already expired, in that hour', () => {
    const notYet = reservation({ effectiveDate: '2026-06-01T10:30:00.000Z' });
    expect(covered(applyReservationDiscounts([usage()], [notYet], sizeOf))).toEqual([0]);
    expect(covered(applyReservationDiscounts([usage({ hour: NEXT_HOUR })], [notYet], sizeOf))).toEqual([1]);
    const expired = reservation({ expiryDate: HOUR });
    expect(covered(applyReservationDiscounts([usage()], [expired], sizeOf))).toEqual([0]);
  });

  it('spills over from a full reservation to the next matching one', () => {
    const a = reservation({ reservationId: 'r-a', effectiveDate: '2026-01-01T00:00:00.000Z' });
    const b = reservation({ reservationId: 'r-b', effectiveDate: '2026-02-01T00:00:00.000Z', ratio: 2 });
    const result = applyReservationDiscounts([usage({ vmSize: 'Standard_DS3_v2' })], [a, b], sizeOf);
    // DS3_v2 is 4 units: r-a covers 1 unit (0.25 h), r-b covers 2 units (0.5 h), 0.25 h pays as you go.
    expect(result.records[0]).toMatchObject({
      coveredHours: 0.75,
      payAsYouGoHours: 0.25,
      allocations: [
        { reservationId: 'r-a', hours: 0.25 },
        { reservationId: 'r-b', hours: 0.5 },
      ],
    });
  });

  it('gives the same result whatever the order of its input', () => {
    const records = [
      usage(),
      usage({ subscriptionId: 's-2', quantity: 0.4 }),
      usage({ vmSize: 'Standard_DS2_v2' }),
      usage({ hour: NEXT_HOUR }),
    ];
    const reservations = [
      reservation({ reservationId: 'r-1' }),
      reservation({ reservationId: 'r-2', scope: { type: 'single', subscriptionId: 's-2' } }),
    ];
    const forwards = applyReservationDiscounts(records, reservations, sizeOf);
    const backwards = applyReservationDiscounts([...records].reverse(), [...reservations].reverse(), sizeOf);
    expect(backwards).toEqual(forwards);
  });
});
