import { Catalog } from '../catalog/catalog';
import { CatalogItem, Term, TERM_MONTHS } from '../catalog/catalog-item';
import { normalizeRegion } from '../catalog/catalog-item';
import {
  applyReservationDiscounts,
  ManagementGroupLookup,
  ReservationBenefit,
  UsageRecord,
} from '../discount/discount-engine';
import { cents, usd } from '../shared/money';

export const LOOK_BACK_DAYS = [7, 30, 60] as const;
export type LookBackDays = (typeof LOOK_BACK_DAYS)[number];
export type RecommendationScope = 'single' | 'shared';

/** Azure prices a reservation's term in years of 365 days. */
const HOURS_PER_YEAR = 365 * 24;

export interface RecommendationRequest {
  /** The customer's usage in the look-back window (records outside it are ignored). */
  usage: readonly UsageRecord[];
  /** The reservations the customer holds: usage they cover is not recommended again. */
  reservations: readonly ReservationBenefit[];
  catalog: Catalog;
  groupOf?: ManagementGroupLookup;
  /** First hour of the window (a whole hour) and its length. */
  fromHour: string;
  lookBackDays: LookBackDays;
  term: Term;
  scope: RecommendationScope;
}

export interface PurchaseRecommendation {
  scope: RecommendationScope;
  /** For single scope: the subscription whose usage it is. */
  subscriptionId?: string;
  region: string;
  flexibilityGroup: string;
  /** The group's smallest size on sale there: the quantity is stated in it, as Azure does. */
  normalizedSize: string;
  catalogItemId: string;
  term: Term;
  lookBackDays: LookBackDays;
  firstUsageHour: string;
  recommendedQuantity: number;
  /** The uncovered usage over the window at pay-as-you-go. */
  costWithNoReservedInstancesUsd: number;
  /** The reservation's price for the window's hours, plus the usage it would not cover. */
  totalCostWithReservedInstancesUsd: number;
  netSavingsUsd: number;
  /** The share of its hours a reservation must be used to cost no more than pay-as-you-go. */
  breakEvenUtilizationPercent: number;
}

/** Uncovered usage of one region and flexibility group (and subscription, for single scope), hour by hour, in normalized units. */
interface Demand {
  key: { subscriptionId?: string; region: string; flexibilityGroup: string };
  base: CatalogItem;
  /** Per hour: normalized VM-hours and their pay-as-you-go cost. */
  hours: Map<string, { units: number; costUsd: number }>;
  firstUsageHour: string;
}

/**
 * Azure's reservation recommendations, from usage already ingested: the
 * existing reservations are applied first (by the same engine as the
 * discount), and what they leave uncovered is grouped per region and
 * flexibility group (and subscription, for single scope) in the group's
 * smallest size. For each group the costs over the window are simulated with
 * and without a reservation of each quantity, and the quantity with the
 * greatest net savings is recommended. Every hour of the window counts, used
 * or not: a reservation is paid for every hour (use it or lose it), so usage
 * that stops regularly may find no quantity that saves. Prices are the
 * catalog's at the window's end, the day the recommendation is made.
 */
export function purchaseRecommendations(request: RecommendationRequest): PurchaseRecommendation[] {
  const { catalog, term, scope, lookBackDays } = request;
  const from = Date.parse(request.fromHour);
  const windowHours = lookBackDays * 24;
  const until = from + windowHours * 3_600_000;
  const hourMs = new Map<string, number>();
  const inWindow = request.usage.filter((record) => {
    let at = hourMs.get(record.hour);
    if (at === undefined) hourMs.set(record.hour, (at = Date.parse(record.hour)));
    return at >= from && at < until && !record.spot;
  });
  const covered = applyReservationDiscounts(
    inWindow,
    request.reservations,
    (size) => catalog.sizeOf(size),
    request.groupOf,
  );

  const byId = new Map(inWindow.map((record) => [record.recordId, record]));
  const demands = new Map<string, Demand>();
  covered.records.forEach((discounted) => {
    const record = byId.get(discounted.recordId)!;
    const uncovered = discounted.quantity - discounted.coveredHours;
    const size = catalog.sizeOf(record.vmSize);
    if (uncovered <= 0 || !size) return;
    const region = normalizeRegion(record.region);
    const subscriptionId = scope === 'single' ? record.subscriptionId : undefined;
    const id = `${subscriptionId ?? ''}\n${region}\n${size.flexibilityGroup}`;
    let demand = demands.get(id);
    if (!demand) {
      const base = catalog.smallestIn(region, size.flexibilityGroup, term, new Date(until).toISOString());
      if (!base) return; // nothing of the group to buy there
      demand = {
        key: { subscriptionId, region, flexibilityGroup: size.flexibilityGroup },
        base,
        hours: new Map(),
        firstUsageHour: record.hour,
      };
      demands.set(id, demand);
    }
    const hour = demand.hours.get(record.hour) ?? { units: 0, costUsd: 0 };
    hour.units += (uncovered * size.ratio) / demand.base.ratio;
    hour.costUsd += uncovered * record.payAsYouGoRateUsd;
    demand.hours.set(record.hour, hour);
    if (record.hour < demand.firstUsageHour) demand.firstUsageHour = record.hour;
  });

  const recommendations: PurchaseRecommendation[] = [];
  for (const demand of demands.values()) {
    const recommendation = simulate(demand, windowHours, term);
    if (recommendation)
      recommendations.push({
        scope,
        ...(demand.key.subscriptionId ? { subscriptionId: demand.key.subscriptionId } : {}),
        region: demand.base.region,
        flexibilityGroup: demand.key.flexibilityGroup,
        normalizedSize: demand.base.armSkuName,
        catalogItemId: demand.base.id,
        term,
        lookBackDays,
        firstUsageHour: demand.firstUsageHour,
        ...recommendation,
      });
  }
  return recommendations.sort(
    (a, b) => b.netSavingsUsd - a.netSavingsUsd || a.catalogItemId.localeCompare(b.catalogItemId),
  );
}

type Simulated = Pick<
  PurchaseRecommendation,
  | 'recommendedQuantity'
  | 'costWithNoReservedInstancesUsd'
  | 'totalCostWithReservedInstancesUsd'
  | 'netSavingsUsd'
  | 'breakEvenUtilizationPercent'
>;

/**
 * Savings grow with the quantity while one more unit saves more in the hours
 * it would be used than it costs in every hour, and never grow again after:
 * each unit is used in fewer hours than the one before. So the best quantity
 * is the last whose unit still saves.
 */
function simulate(demand: Demand, windowHours: number, term: Term): Simulated | undefined {
  const hourlyCostUsd = demand.base.unitPriceUsd / ((TERM_MONTHS[term] / 12) * HOURS_PER_YEAR);
  const hours = [...demand.hours.values()].filter((hour) => hour.units > 0);
  const ratePerUnit = (hour: { units: number; costUsd: number }) => hour.costUsd / hour.units;
  const unitSaves = (unit: number) =>
    hours.reduce((saved, hour) => saved + Math.min(Math.max(hour.units - (unit - 1), 0), 1) * ratePerUnit(hour), 0) -
    windowHours * hourlyCostUsd;
  let quantity = 0;
  while (unitSaves(quantity + 1) > 0) quantity++;
  if (quantity === 0) return undefined;

  const withoutUsd = hours.reduce((total, hour) => total + hour.costUsd, 0);
  const overflowUsd = hours.reduce((total, hour) => total + Math.max(hour.units - quantity, 0) * ratePerUnit(hour), 0);
  const withUsd = quantity * windowHours * hourlyCostUsd + overflowUsd;
  const averageRate = withoutUsd / hours.reduce((total, hour) => total + hour.units, 0);
  return {
    recommendedQuantity: quantity,
    costWithNoReservedInstancesUsd: usd(cents(withoutUsd)),
    totalCostWithReservedInstancesUsd: usd(cents(withUsd)),
    netSavingsUsd: usd(cents(withoutUsd) - cents(withUsd)),
    breakEvenUtilizationPercent: Math.round((hourlyCostUsd / averageRate) * 10_000) / 100,
  };
}
