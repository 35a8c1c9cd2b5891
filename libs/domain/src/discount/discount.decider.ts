import { Decider, Message } from '../shared/decider';
import { DiscountedRecord, DiscountResult, ReservationHour } from './discount-engine';

/** One subscription's usage in one hour, summed: what the bill and the cost views need. */
export interface SubscriptionHourCost {
  subscriptionId: string;
  records: number;
  quantity: number;
  coveredHours: number;
  payAsYouGoCostUsd: number;
  discountedCostUsd: number;
  savingsUsd: number;
}

/** One customer-hour's discount, summed per subscription. */
export interface DiscountHourResult {
  hour: string;
  /** Fingerprint of the hour's result; a rerun that computes the same result writes nothing. */
  resultHash: string;
  /**
   * Per subscription, the hour's usage summed. An hour of any size stays
   * small (the store takes at most 1 MiB an append); the per-record detail is
   * recomputed from the stored usage by the same pure engine.
   */
  subscriptions?: SubscriptionHourCost[];
  recordCount?: number;
  /** Per record: kept by events written before the summary (an hour of more than about 2,000 records could not be written). */
  records?: DiscountedRecord[];
  utilization: ReservationHour[];
}

/** The discount of the hours of one customer-day that changed: one event and one append for many hours. */
export interface DiscountAppliedData {
  customerId: string;
  /** The UTC day, `YYYY-MM-DD`. */
  date: string;
  hours: DiscountHourResult[];
}

/** Events written before days were batched held one hour each (versions 1 and 2). */
export type DiscountAppliedHourData = { customerId: string } & DiscountHourResult;

/** The hours of a DiscountApplied, whichever version it was written at. */
export const discountHoursOf = (data: DiscountAppliedData | DiscountAppliedHourData): DiscountHourResult[] => {
  if ('hours' in data) return data.hours;
  const { customerId: _customerId, ...hour } = data;
  return [hour];
};

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

/** What summing needs of a discounted record (older events carry records of this shape too). */
export type RecordCost = Pick<
  DiscountedRecord,
  'subscriptionId' | 'quantity' | 'coveredHours' | 'payAsYouGoCostUsd' | 'discountedCostUsd' | 'savingsUsd'
>;

/** Discounted records summed per subscription, rounded to the micro-dollar: the one way an hour is summarized. */
export function summarizeRecords(
  records: readonly RecordCost[],
): Required<Pick<DiscountHourResult, 'subscriptions' | 'recordCount'>> {
  const bySubscription = new Map<string, SubscriptionHourCost>();
  for (const record of records) {
    const cost = bySubscription.get(record.subscriptionId) ?? {
      subscriptionId: record.subscriptionId,
      records: 0,
      quantity: 0,
      coveredHours: 0,
      payAsYouGoCostUsd: 0,
      discountedCostUsd: 0,
      savingsUsd: 0,
    };
    cost.records++;
    cost.quantity += record.quantity;
    cost.coveredHours += record.coveredHours;
    cost.payAsYouGoCostUsd += record.payAsYouGoCostUsd;
    cost.discountedCostUsd += record.discountedCostUsd;
    cost.savingsUsd += record.savingsUsd;
    bySubscription.set(record.subscriptionId, cost);
  }
  const subscriptions = [...bySubscription.values()]
    .map((c) => ({
      ...c,
      quantity: round6(c.quantity),
      coveredHours: round6(c.coveredHours),
      payAsYouGoCostUsd: round6(c.payAsYouGoCostUsd),
      discountedCostUsd: round6(c.discountedCostUsd),
      savingsUsd: round6(c.savingsUsd),
    }))
    .sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId));
  return { subscriptions, recordCount: records.length };
}

/** The engine's result for one customer-hour, summed per subscription. */
export function summarizeHour(
  result: DiscountResult,
): Pick<DiscountHourResult, 'subscriptions' | 'recordCount' | 'utilization'> {
  return { ...summarizeRecords(result.records), utilization: result.utilization };
}

/** The hour's cost per subscription, from either shape of an hour (summed, or every record). */
export function subscriptionCosts(
  hour: DiscountHourResult,
): Array<Pick<SubscriptionHourCost, 'subscriptionId' | 'payAsYouGoCostUsd' | 'discountedCostUsd'>> {
  return hour.subscriptions ?? summarizeRecords(hour.records ?? []).subscriptions;
}

export type DiscountEvent = Message<'DiscountApplied', DiscountAppliedData>;
export type DiscountCommand = Message<'ApplyDiscount', DiscountAppliedData>;
/** Each hour's result fingerprint. */
export type DiscountDay = { hashes: Record<string, string> };

/** One stream per customer and UTC day: `discount-{customerId}-{yyyymmdd}`. */
export const discountStream = (customerId: string, date: string) =>
  `discount-${customerId}-${date.slice(0, 10).replace(/-/g, '')}`;

/**
 * The discount of one customer-day. The hours whose result is the same as
 * recorded are left out; the others are recorded together, superseding what
 * was there (late usage, a correction, a new reservation), and views take
 * the latest. Nothing changed: nothing is written.
 */
export const discountDecider: Decider<DiscountDay, DiscountCommand, DiscountEvent> = {
  initialState: () => ({ hashes: {} }),
  decide: (command, state) => {
    const changed = command.data.hours.filter((hour) => state.hashes[hour.hour] !== hour.resultHash);
    return changed.length === 0 ? [] : [{ type: 'DiscountApplied', data: { ...command.data, hours: changed } }];
  },
  evolve: (state, event) => ({
    hashes: {
      ...state.hashes,
      ...Object.fromEntries(discountHoursOf(event.data).map((hour) => [hour.hour, hour.resultHash])),
    },
  }),
};
