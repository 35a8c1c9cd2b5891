import { resourceGroupOf, UsageRecord } from '../discount/discount-engine';

/**
 * A customer's usage as recommendations need it: per hour, the VM-hours of
 * each subscription, resource group, region, size and rate, summed. It is
 * what the usage store keeps per customer and day as records arrive, so a
 * recommendation reads a few rows per hour instead of every record.
 */
export interface UsageSummaryRow {
  hour: string;
  subscriptionId: string;
  /** Lower case; empty when the records name none. */
  resourceGroup: string;
  region: string;
  vmSize: string;
  payAsYouGoRateUsd: number;
  /** VM-hours: the sum of the records' quantities, so it may exceed 1. */
  quantity: number;
}

/** What the row is keyed by, in the order the store keys it. */
export const summaryKeyOf = (row: Omit<UsageSummaryRow, 'quantity'>) =>
  JSON.stringify([row.hour, row.subscriptionId, row.resourceGroup, row.region, row.vmSize, row.payAsYouGoRateUsd]);

/**
 * The summary of records, as the store keeps it: spot VMs are left out
 * (never covered, never recommended) and so is the licence (never covered).
 */
export function summarizeUsage(records: readonly UsageRecord[]): UsageSummaryRow[] {
  const rows = new Map<string, UsageSummaryRow>();
  for (const record of records) {
    if (record.spot) continue;
    const row = {
      hour: new Date(record.hour).toISOString(),
      subscriptionId: record.subscriptionId,
      resourceGroup: resourceGroupOf(record)?.toLowerCase() ?? '',
      region: record.region,
      vmSize: record.vmSize,
      payAsYouGoRateUsd: record.payAsYouGoRateUsd,
      quantity: 0,
    };
    const key = summaryKeyOf(row);
    const found = rows.get(key) ?? row;
    found.quantity += record.quantity;
    rows.set(key, found);
  }
  return [...rows.values()];
}

/**
 * Rows as usage records the discount engine and the recommendations take:
 * one VM-hours record per row. Coverage and cost come out as from the
 * records, since a reservation reaches a record by its subscription, resource
 * group, region and size; when a reservation covers only part of an hour's
 * usage of one subscription, which VMs it leaves uncovered may differ, and
 * with it the rate, where VMs of one size group run at different rates per
 * normalized unit.
 */
export function usageOfSummary(customerId: string, rows: readonly UsageSummaryRow[]): UsageRecord[] {
  return rows.map((row, i) => ({
    // Short ids: the engine sorts an hour's records by subscription, resource and id; the resource, unique within a subscription's hour, orders them whatever order the rows came in.
    recordId: String(i),
    customerId,
    subscriptionId: row.subscriptionId,
    resourceId: `${row.resourceGroup}|${row.region}|${row.vmSize}|${row.payAsYouGoRateUsd}`,
    ...(row.resourceGroup ? { resourceGroup: row.resourceGroup } : {}),
    region: row.region,
    vmSize: row.vmSize,
    hour: row.hour,
    quantity: row.quantity,
    payAsYouGoRateUsd: row.payAsYouGoRateUsd,
  }));
}
