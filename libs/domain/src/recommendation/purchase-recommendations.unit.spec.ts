import { Catalog } from '../catalog/catalog';
import { ReservationBenefit, UsageRecord } from '../discount/discount-engine';
import { purchaseRecommendations, RecommendationRequest } from './purchase-recommendations';

// Hand-checked against the shipped catalog: Standard_D2s_v5 in eastus, one year, costs USD 529.80,
// so USD 529.80 / 8,760 h = 0.060479 an hour; pay-as-you-go here is 0.096 an hour. Break-even: 63.0% of the hours.
const catalog = Catalog.shipped();
const FROM = '2026-06-01T00:00:00.000Z';
const WEEK = 168;
const hourAt = (h: number) => new Date(Date.parse(FROM) + h * 3_600_000).toISOString();

let next = 0;
const vm = (h: number, overrides: Partial<UsageRecord> = {}): UsageRecord => ({
  recordId: `r-${next++}`,
  customerId: 'c-1',
  subscriptionId: 's-1',
  resourceId: 'vm-1',
  region: 'eastus',
  vmSize: 'Standard_D2s_v5',
  hour: hourAt(h),
  quantity: 1,
  payAsYouGoRateUsd: 0.096,
  ...overrides,
});
const everyHour = (vms: number, overrides: Partial<UsageRecord> = {}) =>
  Array.from({ length: WEEK }, (_, h) =>
    Array.from({ length: vms }, (_, v) => vm(h, { resourceId: `vm-${v}`, ...overrides })),
  ).flat();

const recommend = (usage: UsageRecord[], overrides: Partial<RecommendationRequest> = {}) =>
  purchaseRecommendations({
    usage,
    reservations: [],
    catalog,
    fromHour: FROM,
    lookBackDays: 7,
    term: 'P1Y',
    scope: 'shared',
    ...overrides,
  });

describe('purchase recommendations (Azure: simulate costs with and without, keep the quantity that saves most)', () => {
  it('given steady usage of 2 VMs all week, recommends 2, with the costs of the week with and without them', () => {
    expect(recommend(everyHour(2))).toEqual([
      {
        scope: 'shared',
        region: 'eastus',
        flexibilityGroup: 'DSv5 Series',
        normalizedSize: 'Standard_D2s_v5',
        catalogItemId: 'ri-standard_d2s_v5-eastus-p1y',
        term: 'P1Y',
        lookBackDays: 7,
        firstUsageHour: FROM,
        recommendedQuantity: 2,
        // 336 VM-hours × 0.096
        costWithNoReservedInstancesUsd: 32.26,
        // 2 × 168 h × 0.060479
        totalCostWithReservedInstancesUsd: 20.32,
        netSavingsUsd: 11.94,
        breakEvenUtilizationPercent: 63,
      },
    ]);
  });

  it('given spiky usage (1 VM always, 3 more for one day in seven), recommends only the base: the peak runs 14% of the hours, under the 63% break-even', () => {
    const spike = Array.from({ length: 24 }, (_, h) => [1, 2, 3].map((v) => vm(h, { resourceId: `peak-${v}` }))).flat();
    const [recommendation] = recommend([...everyHour(1), ...spike]);
    expect(recommendation).toMatchObject({
      recommendedQuantity: 1,
      // 168 + 72 VM-hours × 0.096 = 23.04; with: 168 h × 0.060479 = 10.16, plus the 72 peak hours at 6.91
      costWithNoReservedInstancesUsd: 23.04,
      totalCostWithReservedInstancesUsd: 17.07,
      netSavingsUsd: 5.97,
    });
  });

  it('given usage already covered by an existing reservation, recommends only what it leaves uncovered', () => {
    const existing: ReservationBenefit = {
      reservationId: 'res-1',
      customerId: 'c-1',
      region: 'eastus',
      flexibilityGroup: 'DSv5 Series',
      ratio: 1,
      quantity: 1,
      scope: { type: 'shared' },
      effectiveDate: '2026-05-01T00:00:00.000Z',
      expiryDate: '2027-05-01T00:00:00.000Z',
    };
    const [recommendation] = recommend(everyHour(2), { reservations: [existing] });
    expect(recommendation).toMatchObject({
      recommendedQuantity: 1,
      costWithNoReservedInstancesUsd: 16.13,
      totalCostWithReservedInstancesUsd: 10.16,
      netSavingsUsd: 5.97,
    });
    expect(recommend(everyHour(1), { reservations: [existing] })).toEqual([]);
  });

  it('states the quantity in the group’s smallest size: a steady D4s_v5 (ratio 2) is 2 × Standard_D2s_v5', () => {
    const [recommendation] = recommend(everyHour(1, { vmSize: 'Standard_D4s_v5', payAsYouGoRateUsd: 0.192 }));
    expect(recommendation).toMatchObject({
      normalizedSize: 'Standard_D2s_v5',
      recommendedQuantity: 2,
      costWithNoReservedInstancesUsd: 32.26,
      netSavingsUsd: 11.94,
    });
  });

  it('recommends nothing for VMs shut down regularly: 8 hours a day is 33% of the hours, and an unused reserved hour is lost', () => {
    const officeHours = Array.from({ length: 7 }, (_, day) =>
      Array.from({ length: 8 }, (_, h) => [vm(day * 24 + 9 + h), vm(day * 24 + 9 + h, { resourceId: 'vm-2' })]),
    ).flat(2);
    expect(recommend(officeHours)).toEqual([]);
  });

  it('for single scope, recommends per subscription; for shared, per region and group across them', () => {
    const usage = [...everyHour(1, { subscriptionId: 's-1' }), ...everyHour(1, { subscriptionId: 's-2' })];
    const single = recommend(usage, { scope: 'single' });
    expect(single.map((r) => [r.subscriptionId, r.recommendedQuantity])).toEqual([
      ['s-1', 1],
      ['s-2', 1],
    ]);
    expect(recommend(usage).map((r) => [r.subscriptionId, r.recommendedQuantity])).toEqual([[undefined, 2]]);
  });

  it('counts only the look-back window, prices the term asked for, and leaves out spot VMs and sizes with nothing to buy in the region', () => {
    const before = vm(-1, { resourceId: 'old' });
    const spot = everyHour(3, { resourceId: 'spot', spot: true });
    const [oneYear] = recommend([before, ...everyHour(1), ...spot]);
    expect(oneYear).toMatchObject({
      recommendedQuantity: 1,
      firstUsageHour: FROM,
      costWithNoReservedInstancesUsd: 16.13,
    });
    const threeYears = catalog.get('ri-standard_d2s_v5-eastus-p3y', FROM)!;
    const [longer] = recommend(everyHour(1), { term: 'P3Y' });
    expect(longer).toMatchObject({
      catalogItemId: threeYears.id,
      term: 'P3Y',
      breakEvenUtilizationPercent: Math.round((threeYears.unitPriceUsd / (3 * 8760) / 0.096) * 10_000) / 100,
    });
    expect(recommend(everyHour(1, { vmSize: 'Standard_Unknown_v9' }))).toEqual([]);
  });
});
