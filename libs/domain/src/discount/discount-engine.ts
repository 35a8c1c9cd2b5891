import { normalizeRegion } from '../catalog/catalog-item';
import { sameResourceGroup, Scope, scopeRank } from '../shared/scope';

/** One hour of one VM's usage, as billed. */
export interface UsageRecord {
  recordId: string;
  customerId: string;
  subscriptionId: string;
  resourceId: string;
  /** The VM's resource group; read from an ARM resourceId (`/subscriptions/…/resourceGroups/{name}/…`) when absent. */
  resourceGroup?: string;
  region: string;
  vmSize: string;
  /** Start of the hour (ISO 8601, whole hour). */
  hour: string;
  /** VM-hours in that hour: 0..1. */
  quantity: number;
  /** The compute rate per hour: the part a reservation covers. */
  payAsYouGoRateUsd: number;
  /** The software licence rate per hour (Windows and other licensed images): never covered, always charged. */
  licenseRateUsd?: number;
  /** Spot VMs are never covered by a reservation. */
  spot?: boolean;
}

/** Azure writes one region several ways (`West Europe`, `WestEurope`, `westeurope`); they are one region. */

const RESOURCE_GROUP_IN_ID = /\/resourcegroups\/([^/]+)/i;

/** The resource group a usage record ran in, when it says or its ARM resource id shows. */
export const resourceGroupOf = (record: Pick<UsageRecord, 'resourceGroup' | 'resourceId'>): string | undefined =>
  record.resourceGroup ?? RESOURCE_GROUP_IN_ID.exec(record.resourceId)?.[1];

/** Which management group a subscription was in at an hour; a management-group scope needs it. */
export type ManagementGroupLookup = (subscriptionId: string, hour: string) => string | undefined;

/** What the engine needs to know of a reservation. */
export interface ReservationBenefit {
  reservationId: string;
  customerId: string;
  region: string;
  flexibilityGroup: string;
  /** Ratio of the reserved size within its group. */
  ratio: number;
  /** VMs of the reserved size covered at the same time. */
  quantity: number;
  scope: Scope;
  /** From when to when this benefit applies: the whole term, or one stretch of it with one scope. */
  effectiveDate: string;
  expiryDate: string;
  /** When the reservation was bought, for "earliest first" when a stretch starts later; defaults to effectiveDate. */
  purchasedAt?: string;
}

export interface SizeFacts {
  flexibilityGroup: string;
  ratio: number;
}

export interface Allocation {
  reservationId: string;
  /** Usage hours of this record covered by the reservation. */
  hours: number;
}

export interface DiscountedRecord {
  recordId: string;
  customerId: string;
  subscriptionId: string;
  hour: string;
  quantity: number;
  coveredHours: number;
  payAsYouGoHours: number;
  allocations: Allocation[];
  /** What the usage would cost with no reservation: compute and licence. */
  payAsYouGoCostUsd: number;
  /** What is billed: the uncovered compute hours at pay-as-you-go, and the licence for every hour. */
  discountedCostUsd: number;
  savingsUsd: number;
}

export interface ReservationHour {
  reservationId: string;
  hour: string;
  /** Reserved VM-hours available in the hour: the quantity. */
  reservedHours: number;
  /** Reserved VM-hours used, in the reserved size. */
  usedHours: number;
  /** The used hours per subscription that used them: the amortized cost view charges each its share. Absent on older events. */
  bySubscription?: Record<string, number>;
}

export interface DiscountResult {
  records: DiscountedRecord[];
  utilization: ReservationHour[];
}

const EPSILON = 1e-9;
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

const matchKey = (customerId: string, region: string, flexibilityGroup: string) =>
  `${customerId}\n${normalizeRegion(region)}\n${flexibilityGroup}`;

/** A reservation's term in milliseconds, parsed once per run rather than once per hour. */
interface Effective {
  reservation: ReservationBenefit;
  fromMs: number;
  untilMs: number;
}

/** Narrowest scope first (resource group, subscription, management group, shared), then the earliest reservation. */
const applicationOrder = (a: ReservationBenefit, b: ReservationBenefit) =>
  scopeRank(a.scope) - scopeRank(b.scope) ||
  Date.parse(a.purchasedAt ?? a.effectiveDate) - Date.parse(b.purchasedAt ?? b.effectiveDate) ||
  a.reservationId.localeCompare(b.reservationId);

/** Whether a reservation's scope reaches a usage record in an hour. */
const reaches = (
  scope: Scope,
  record: UsageRecord,
  hour: string,
  managementGroupOf: ManagementGroupLookup,
): boolean => {
  switch (scope.type) {
    case 'resourceGroup': {
      const resourceGroup = resourceGroupOf(record);
      return (
        record.subscriptionId === scope.subscriptionId &&
        resourceGroup !== undefined &&
        sameResourceGroup(resourceGroup, scope.resourceGroup)
      );
    }
    case 'single':
      return record.subscriptionId === scope.subscriptionId;
    case 'managementGroup':
      return managementGroupOf(record.subscriptionId, hour) === scope.managementGroupId;
    case 'shared':
      return true;
  }
};

const inNoGroup: ManagementGroupLookup = () => undefined;

/**
 * Applies reservation discounts to usage, hour by hour, following Azure's
 * rules:
 * - use it or lose it: each hour, a reservation covers up to quantity × ratio
 *   normalized units of matching usage, and nothing carries over;
 * - usage matches by region and instance size flexibility group, counted in
 *   normalized units (hours × the size's ratio), so a reservation smaller than
 *   a VM covers only part of it;
 * - the narrowest scope applies first: resource group, then single
 *   subscription, then management group (its member subscriptions in that
 *   hour), then shared; within a scope, the earliest reservation first;
 * - only reservations effective in the hour count;
 * - only compute is covered: a licence (Windows and other images) is always
 *   charged, and spot VMs are never covered;
 * - region names match however they are written;
 * - whatever is not covered is charged at pay-as-you-go.
 *
 * Pure and deterministic: the same usage and reservations give the same
 * result, whatever their order.
 */
export function applyReservationDiscounts(
  usage: readonly UsageRecord[],
  reservations: readonly ReservationBenefit[],
  sizeOf: (vmSize: string) => SizeFacts | undefined,
  managementGroupOf: ManagementGroupLookup = inNoGroup,
): DiscountResult {
  const byHour = new Map<string, UsageRecord[]>();
  // Records of one hour share its string, so each spelling is normalized once.
  const canonical = new Map<string, string>();
  for (const record of usage) {
    let hour = canonical.get(record.hour);
    if (hour === undefined) canonical.set(record.hour, (hour = new Date(record.hour).toISOString()));
    const list = byHour.get(hour);
    if (list) list.push(record);
    else byHour.set(hour, [record]);
  }
  const ordered: Effective[] = [...reservations].sort(applicationOrder).map((reservation) => ({
    reservation,
    fromMs: Date.parse(reservation.effectiveDate),
    untilMs: Date.parse(reservation.expiryDate),
  }));
  const records: DiscountedRecord[] = [];
  const utilization: ReservationHour[] = [];

  // Canonical ISO hours sort the same by code unit as by locale.
  for (const [hour, hourUsage] of [...byHour.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const hourMs = Date.parse(hour);
    // Remaining normalized units of each usage record this hour, bucketed by
    // what a reservation matches on, in a stable order.
    const open = [...hourUsage]
      .sort(
        (a, b) =>
          a.subscriptionId.localeCompare(b.subscriptionId) ||
          a.resourceId.localeCompare(b.resourceId) ||
          a.recordId.localeCompare(b.recordId),
      )
      .map((record) => {
        const size = sizeOf(record.vmSize);
        // A spot VM, or a size the catalog does not know, takes nothing from a reservation.
        const coverable = size && !record.spot ? size : undefined;
        return {
          record,
          size: coverable,
          remaining: coverable ? record.quantity * coverable.ratio : 0,
          allocations: [] as Allocation[],
        };
      });
    const buckets = new Map<string, typeof open>();
    for (const entry of open) {
      if (!entry.size) continue;
      const key = matchKey(entry.record.customerId, entry.record.region, entry.size.flexibilityGroup);
      const bucket = buckets.get(key);
      if (bucket) bucket.push(entry);
      else buckets.set(key, [entry]);
    }

    for (const { reservation, fromMs, untilMs } of ordered) {
      if (hourMs < fromMs || hourMs >= untilMs) continue;
      let capacity = reservation.quantity * reservation.ratio;
      let used = 0;
      const usedBy: Record<string, number> = {};
      for (const entry of buckets.get(
        matchKey(reservation.customerId, reservation.region, reservation.flexibilityGroup),
      ) ?? []) {
        if (capacity <= EPSILON) break;
        const { record, size } = entry;
        if (entry.remaining <= EPSILON || !size) continue;
        if (!reaches(reservation.scope, record, hour, managementGroupOf)) continue;
        const units = Math.min(capacity, entry.remaining);
        capacity -= units;
        entry.remaining -= units;
        used += units;
        usedBy[record.subscriptionId] = (usedBy[record.subscriptionId] ?? 0) + units;
        entry.allocations.push({ reservationId: reservation.reservationId, hours: round(units / size.ratio, 9) });
      }
      const bySubscription = Object.fromEntries(
        Object.entries(usedBy)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([subscriptionId, units]) => [subscriptionId, round(units / reservation.ratio, 9)]),
      );
      utilization.push({
        reservationId: reservation.reservationId,
        hour,
        reservedHours: reservation.quantity,
        usedHours: round(used / reservation.ratio, 9),
        bySubscription,
      });
    }

    // Records come out by hour, then by id: hours are walked in order, so sorting each hour's suffices.
    const byId = [...open].sort((a, b) => a.record.recordId.localeCompare(b.record.recordId));
    for (const { record, allocations } of byId) {
      const coveredHours = round(
        Math.min(
          record.quantity,
          allocations.reduce((sum, a) => sum + a.hours, 0),
        ),
        9,
      );
      const payAsYouGoHours = round(record.quantity - coveredHours, 9);
      const licenseUsd = record.quantity * (record.licenseRateUsd ?? 0);
      const payAsYouGoCostUsd = round(record.quantity * record.payAsYouGoRateUsd + licenseUsd, 6);
      const discountedCostUsd = round(payAsYouGoHours * record.payAsYouGoRateUsd + licenseUsd, 6);
      records.push({
        recordId: record.recordId,
        customerId: record.customerId,
        subscriptionId: record.subscriptionId,
        hour,
        quantity: record.quantity,
        coveredHours,
        payAsYouGoHours,
        allocations,
        payAsYouGoCostUsd,
        discountedCostUsd,
        savingsUsd: round(payAsYouGoCostUsd - discountedCostUsd, 6),
      });
    }
  }
  return { records, utilization };
}
