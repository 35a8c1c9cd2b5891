import { DiscountAppliedData } from '@app/domain';
import { Projection, ViewDocument, ViewWrite } from '../projection';

/** A customer's costs on one day: each hour's figures per subscription, replaced whole when an hour is recalculated. */
export interface CostDay extends ViewDocument {
  customerId: string;
  date: string;
  hours: Record<string, Record<string, { payAsYouGoCostUsd: number; discountedCostUsd: number }>>;
}

/** A reservation's use on one day: used reserved-VM hours per hour. */
export interface UtilizationDay extends ViewDocument {
  reservationId: string;
  date: string;
  hours: Record<string, number>;
}

const dayOf = (hour: string) => hour.slice(0, 10);

/**
 * Cost per customer, day and subscription, and utilization per reservation
 * and day, from DiscountApplied. An hour's figures are stored under the hour,
 * so a superseding recalculation replaces them instead of adding to them.
 */
export const costsProjection: Projection = {
  name: 'costs',
  eventTypes: ['DiscountApplied'],
  reads(event) {
    const { customerId, hour, utilization } = event.data as DiscountAppliedData;
    return [`cost:${customerId}:${dayOf(hour)}`, ...utilization.map((u) => `utilization:${u.reservationId}:${dayOf(hour)}`)];
  },
  apply(event, documents) {
    const { customerId, hour, records, utilization } = event.data as DiscountAppliedData;
    const date = dayOf(hour);
    const costKey = `cost:${customerId}:${date}`;
    const perSubscription: CostDay['hours'][string] = {};
    for (const record of records) {
      const totals = (perSubscription[record.subscriptionId] ??= { payAsYouGoCostUsd: 0, discountedCostUsd: 0 });
      totals.payAsYouGoCostUsd += record.payAsYouGoCostUsd;
      totals.discountedCostUsd += record.discountedCostUsd;
    }
    const previous = documents[costKey] as CostDay | undefined;
    const writes: ViewWrite[] = [
      { kind: 'put', key: costKey, document: { customerId, date, hours: { ...previous?.hours, [hour]: perSubscription } } satisfies CostDay },
      { kind: 'index', key: `days:${customerId}`, score: Date.parse(date), member: date },
    ];
    for (const { reservationId, usedHours } of utilization) {
      const key = `utilization:${reservationId}:${date}`;
      const before = documents[key] as UtilizationDay | undefined;
      writes.push({ kind: 'put', key, document: { reservationId, date, hours: { ...before?.hours, [hour]: usedHours } } satisfies UtilizationDay });
      writes.push({ kind: 'index', key: `reservation-days:${reservationId}`, score: Date.parse(date), member: date });
    }
    return writes;
  },
};
