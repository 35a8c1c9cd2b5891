import { ViewDocument } from '../../projection';
import { ViewReader } from '../../view-reader';

export const COSTS = 'costs';

/** A customer's costs on one day: each hour's figures per subscription, replaced whole when an hour is recalculated. */
export interface CostDay extends ViewDocument {
  customerId: string;
  date: string;
  hours: Record<string, Record<string, { payAsYouGoCostUsd: number; discountedCostUsd: number }>>;
}

/** A cost day's hours summed per subscription (not rounded). */
export function subscriptionTotals(
  day: CostDay,
): Map<string, { payAsYouGoCostUsd: number; discountedCostUsd: number }> {
  const totals = new Map<string, { payAsYouGoCostUsd: number; discountedCostUsd: number }>();
  for (const perSubscription of Object.values(day.hours)) {
    for (const [subscriptionId, figures] of Object.entries(perSubscription)) {
      const sum = totals.get(subscriptionId) ?? { payAsYouGoCostUsd: 0, discountedCostUsd: 0 };
      sum.payAsYouGoCostUsd += figures.payAsYouGoCostUsd;
      sum.discountedCostUsd += figures.discountedCostUsd;
      totals.set(subscriptionId, sum);
    }
  }
  return totals;
}

/** A reservation's use on one day: used reserved-VM hours per hour, and per hour who used them (absent on older documents). */
export interface UtilizationDay extends ViewDocument {
  reservationId: string;
  date: string;
  hours: Record<string, number>;
  usedBy?: Record<string, Record<string, number>>;
}

/** Where the costs view keeps a customer's and a reservation's days, and the indexes of those days. */
export const costKeys = {
  costDay: (customerId: string, date: string) => `cost:${customerId}:${date}`,
  daysOfCustomer: (customerId: string) => `days:${customerId}`,
  utilizationDay: (reservationId: string, date: string) => `utilization:${reservationId}:${date}`,
  daysOfReservation: (reservationId: string) => `reservation-days:${reservationId}`,
};

/** A customer's cost days within the bounds (UTC midnights), newest first. */
export const costDays = (
  views: ViewReader,
  customerId: string,
  options: { minScore?: number; maxScore?: number; limit: number },
) =>
  views.listed<CostDay>(
    COSTS,
    costKeys.daysOfCustomer(customerId),
    (date) => costKeys.costDay(customerId, date),
    options,
  );

/** A reservation's utilization days, within the bounds (UTC midnights) when given, newest first. */
export const utilizationDays = (
  views: ViewReader,
  reservationId: string,
  options: { minScore?: number; maxScore?: number; limit: number },
) =>
  views.listed<UtilizationDay>(
    COSTS,
    costKeys.daysOfReservation(reservationId),
    (date) => costKeys.utilizationDay(reservationId, date),
    options,
  );
