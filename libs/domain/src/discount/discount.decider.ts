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

export interface DiscountAppliedData {
  customerId: string;
  hour: string;
  /** Fingerprint of the result; a rerun that computes the same result writes nothing. */
  resultHash: string;
  /**
   * Per subscription, the hour's usage summed. An hour of any size stays a
   * small event (the store takes at most 1 MiB an append); the per-record
   * detail is recomputed from the stored usage by the same pure engine.
   */
  subscriptions?: SubscriptionHourCost[];
  recordCount?: number;
  /** Per record: kept by events written before the summary (an hour of more than about 2,000 records could not be written). */
  records?: DiscountedRecord[];
  utilization: ReservationHour[];
}

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

/** What summing needs of a discounted record (older events carry records of this shape too). */
export type RecordCost = Pick<DiscountedRecord, 'subscriptionId' | 'quantity' | 'coveredHours' | 'payAsYouGoCostUsd' | 'discountedCostUsd' | 'savingsUsd'>;

/** Discounted records summed per subscription, rounded to the micro-dollar: the one way an hour is summarized. */
export function summarizeRecords(records: readonly RecordCost[]): Required<Pick<DiscountAppliedData, 'subscriptions' | 'recordCount'>> {
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
export function summarizeHour(result: DiscountResult): Pick<DiscountAppliedData, 'subscriptions' | 'recordCount' | 'utilization'> {
  return { ...summarizeRecords(result.records), utilization: result.utilization };
}

/** The hour's cost per subscription, from either shape of the event. */
export function subscriptionCosts(data: DiscountAppliedData): Array<Pick<SubscriptionHourCost, 'subscriptionId' | 'payAsYouGoCostUsd' | 'discountedCostUsd'>> {
  return data.subscriptions ?? summarizeRecords(data.records ?? []).subscriptions;
}

export type DiscountEvent = Message<'DiscountApplied', DiscountAppliedData>;
export type DiscountCommand = Message<'ApplyDiscount', DiscountAppliedData>;
export type DiscountHour = { resultHash?: string };

/** One stream per customer and hour: `discount-{customerId}-{hour}`. */
export const discountStream = (customerId: string, hour: string) => `discount-${customerId}-${hour.slice(0, 13).replace(/[-:T]/g, '')}`;

/**
 * The discount of one customer-hour. Applying the same result again is a
 * no-op; a different result (late usage, a new reservation) supersedes the
 * previous one, and views take the latest.
 */
export const discountDecider: Decider<DiscountHour, DiscountCommand, DiscountEvent> = {
  initialState: () => ({}),
  decide: (command, state) => (state.resultHash === command.data.resultHash ? [] : [{ type: 'DiscountApplied', data: command.data }]),
  evolve: (_state, event) => ({ resultHash: event.data.resultHash }),
};
