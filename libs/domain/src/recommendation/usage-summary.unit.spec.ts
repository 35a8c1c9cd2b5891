import fc from 'fast-check';
import { Catalog } from '../catalog/catalog';
import { ReservationBenefit, UsageRecord } from '../discount/discount-engine';
import { purchaseRecommendations, RecommendationScope } from './purchase-recommendations';
import { summarizeUsage, usageOfSummary } from './usage-summary';

const catalog = Catalog.shipped();
const FROM = '2026-06-01T00:00:00.000Z';
const hourAt = (h: number) => new Date(Date.parse(FROM) + h * 3_600_000).toISOString();

/** Sizes with a rate per normalized unit that is the same across the group, as Azure prices them. */
const SIZES = [
  { vmSize: 'Standard_D2s_v5', rate: 0.096 },
  { vmSize: 'Standard_D4s_v5', rate: 0.192 },
  { vmSize: 'Standard_D8s_v5', rate: 0.384 },
  { vmSize: 'Standard_E2s_v5', rate: 0.126 },
];

/** A VM running over a stretch of the week: most run through it, as what is worth reserving does. */
const vm = fc.record({
  subscription: fc.constantFrom('s-1', 's-2'),
  place: fc.constantFrom('group a', 'group a in its id', 'group B', 'no group'),
  region: fc.constantFrom('eastus', 'East US'),
  size: fc.constantFrom(...SIZES),
  // Binary fractions: sums are exact, in whatever order they are added.
  quantity: fc.constantFrom(0.25, 0.5, 1),
  spot: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  from: fc.oneof(fc.constant(-2), fc.integer({ min: 0, max: 160 })),
  hours: fc.oneof(fc.constant(200), fc.integer({ min: 1, max: 168 })),
});

const recordsOf = (vms: Array<typeof vm extends fc.Arbitrary<infer T> ? T : never>): UsageRecord[] =>
  vms.flatMap(({ subscription, place, region, size, quantity, spot, from, hours }, v) =>
    Array.from({ length: Math.min(hours, 170 - from) }, (_, h) => ({
      recordId: `vm-${v}/${from + h}`,
      customerId: 'c-1',
      subscriptionId: subscription,
      resourceId:
        place === 'group a in its id'
          ? `/subscriptions/${subscription}/resourceGroups/RG-A/providers/Microsoft.Compute/virtualMachines/vm-${v}`
          : `vm-${v}`,
      ...(place === 'group a' ? { resourceGroup: 'rg-a' } : place === 'group B' ? { resourceGroup: 'Group-B' } : {}),
      region,
      vmSize: size.vmSize,
      hour: hourAt(from + h),
      quantity,
      payAsYouGoRateUsd: size.rate,
      ...(spot ? { spot: true } : {}),
    })),
  );

const reservation = fc
  .record({
    scope: fc.constantFrom(
      { type: 'resourceGroup' as const, subscriptionId: 's-1', resourceGroup: 'RG-a' },
      { type: 'single' as const, subscriptionId: 's-1' },
      { type: 'single' as const, subscriptionId: 's-2' },
      { type: 'shared' as const },
    ),
    group: fc.constantFrom(
      { flexibilityGroup: 'DSv5 Series', ratio: 1 },
      { flexibilityGroup: 'DSv5 Series', ratio: 2 },
      { flexibilityGroup: 'ESv5 Series', ratio: 1 },
    ),
    quantity: fc.integer({ min: 1, max: 3 }),
    startHour: fc.integer({ min: -24, max: 20 }),
    id: fc.uuid(),
  })
  .map(({ scope, group, quantity, startHour, id }): ReservationBenefit => ({
    reservationId: id,
    customerId: 'c-1',
    region: 'eastus',
    ...group,
    quantity,
    scope,
    effectiveDate: hourAt(startHour),
    expiryDate: hourAt(startHour + 8_760),
  }));

describe('the usage summary recommendations read', () => {
  it('sums the VM-hours of an hour per subscription, resource group, region, size and rate, and leaves spot VMs out', () => {
    const base = {
      customerId: 'c-1',
      subscriptionId: 's-1',
      region: 'eastus',
      vmSize: 'Standard_D2s_v5',
      hour: FROM,
      payAsYouGoRateUsd: 0.096,
    };
    const rows = summarizeUsage([
      { ...base, recordId: 'a', resourceId: '/subscriptions/s-1/resourceGroups/RG-Web/providers/x/vm-1', quantity: 1 },
      { ...base, recordId: 'b', resourceId: 'vm-2', resourceGroup: 'rg-web', quantity: 0.5 },
      { ...base, recordId: 'c', resourceId: 'vm-3', quantity: 1 },
      { ...base, recordId: 'd', resourceId: 'vm-4', quantity: 1, spot: true },
      { ...base, recordId: 'e', resourceId: 'vm-5', quantity: 1, hour: '2026-06-01T01:00:00Z' },
    ]);
    expect(rows).toEqual([
      { ...rowOf(base), resourceGroup: 'rg-web', quantity: 1.5 },
      { ...rowOf(base), resourceGroup: '', quantity: 1 },
      { ...rowOf(base), hour: '2026-06-01T01:00:00.000Z', resourceGroup: '', quantity: 1 },
    ]);
  });

  it('gives the same recommendations as the records it sums, whatever the scopes of the reservations already held', () => {
    let recommended = 0;
    fc.assert(
      fc.property(
        fc.array(vm, { minLength: 1, maxLength: 8 }),
        fc.array(reservation, { maxLength: 4 }),
        fc.constantFrom<RecommendationScope>('single', 'shared'),
        (vms, reservations, scope) => {
          const records = recordsOf(vms);
          const recommend = (usage: UsageRecord[]) =>
            purchaseRecommendations({
              usage,
              reservations,
              catalog,
              fromHour: FROM,
              lookBackDays: 7,
              term: 'P1Y',
              scope,
            }).map((item) => ({
              ...item,
              // Sums in another order may differ past the ninth digit: figures are compared to the cent.
              costWithNoReservedInstancesUsd: Math.round(item.costWithNoReservedInstancesUsd * 100),
              totalCostWithReservedInstancesUsd: Math.round(item.totalCostWithReservedInstancesUsd * 100),
              netSavingsUsd: Math.round(item.netSavingsUsd * 100),
            }));
          const expected = recommend(records);
          expect(recommend(usageOfSummary('c-1', summarizeUsage(records)))).toEqual(expected);
          if (expected.length > 0) recommended++;
        },
      ),
      { numRuns: 150, seed: 20261207 },
    );
    // The property held on recommendations, not only on empty answers.
    expect(recommended).toBeGreaterThan(50);
  });
});

function rowOf(base: {
  subscriptionId: string;
  region: string;
  vmSize: string;
  hour: string;
  payAsYouGoRateUsd: number;
}) {
  return {
    hour: new Date(base.hour).toISOString(),
    subscriptionId: base.subscriptionId,
    region: base.region,
    vmSize: base.vmSize,
    payAsYouGoRateUsd: base.payAsYouGoRateUsd,
  };
}
