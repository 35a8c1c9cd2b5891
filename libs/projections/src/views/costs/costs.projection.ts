import { DiscountAppliedData, DiscountAppliedHourData, discountHoursOf, subscriptionCosts } from '@app/domain';
import { Projection, ViewDocument, ViewWrite } from '../../projection';
import { COSTS, costKeys, CostDay, UtilizationDay } from './costs.view';

const dayOf = (hour: string) => hour.slice(0, 10);

/**
 * Cost per customer, day and subscription, and utilization per reservation
 * and day, from DiscountApplied (a customer-day's changed hours, or one hour
 * on older events). An hour's figures are stored under the hour, so a
 * superseding recalculation replaces them instead of adding to them.
 */
export const costsProjection: Projection = {
  name: COSTS,
  eventTypes: ['DiscountApplied'],
  reads(event) {
    const data = event.data as DiscountAppliedData | DiscountAppliedHourData;
    const keys = discountHoursOf(data).flatMap(({ hour, utilization }) => [
      costKeys.costDay(data.customerId, dayOf(hour)),
      ...utilization.map((u) => costKeys.utilizationDay(u.reservationId, dayOf(hour))),
    ]);
    return [...new Set(keys)];
  },
  apply(event, documents) {
    const data = event.data as DiscountAppliedData | DiscountAppliedHourData;
    const { customerId } = data;
    // Later hours of the same event build on the documents the earlier ones wrote.
    const current: Record<string, ViewDocument | undefined> = { ...documents };
    const writes = new Map<string, ViewWrite>();
    const put = (key: string, document: ViewDocument) => {
      current[key] = document;
      writes.set(key, { kind: 'put', key, document });
    };
    const index = (key: string, date: string) =>
      writes.set(`${key}\n${date}`, { kind: 'index', key, score: Date.parse(date), member: date });

    for (const hourResult of discountHoursOf(data)) {
      const { hour, utilization } = hourResult;
      const date = dayOf(hour);
      const costKey = costKeys.costDay(customerId, date);
      const perSubscription: CostDay['hours'][string] = {};
      for (const { subscriptionId, payAsYouGoCostUsd, discountedCostUsd } of subscriptionCosts(hourResult)) {
        perSubscription[subscriptionId] = { payAsYouGoCostUsd, discountedCostUsd };
      }
      const previous = current[costKey] as CostDay | undefined;
      put(costKey, { customerId, date, hours: { ...previous?.hours, [hour]: perSubscription } } satisfies CostDay);
      index(costKeys.daysOfCustomer(customerId), date);
      for (const { reservationId, usedHours, bySubscription } of utilization) {
        const key = costKeys.utilizationDay(reservationId, date);
        const before = current[key] as UtilizationDay | undefined;
        const document: UtilizationDay = { reservationId, date, hours: { ...before?.hours, [hour]: usedHours } };
        const usedBy = { ...before?.usedBy };
        if (bySubscription) usedBy[hour] = bySubscription;
        else delete usedBy[hour];
        if (Object.keys(usedBy).length > 0) document.usedBy = usedBy;
        put(key, document);
        index(costKeys.daysOfReservation(reservationId), date);
      }
    }
    return [...writes.values()];
  },
};
