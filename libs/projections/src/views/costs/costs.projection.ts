import { DiscountAppliedData, subscriptionCosts } from '@app/domain';
import { Projection, ViewWrite } from '../../projection';
import { COSTS, costKeys, CostDay, UtilizationDay } from './costs.view';

const dayOf = (hour: string) => hour.slice(0, 10);

/**
 * Cost per customer, day and subscription, and utilization per reservation
 * and day, from DiscountApplied. An hour's figures are stored under the hour,
 * so a superseding recalculation replaces them instead of adding to them.
 */
export const costsProjection: Projection = {
  name: COSTS,
  eventTypes: ['DiscountApplied'],
  reads(event) {
    const { customerId, hour, utilization } = event.data as DiscountAppliedData;
    return [costKeys.costDay(customerId, dayOf(hour)), ...utilization.map((u) => costKeys.utilizationDay(u.reservationId, dayOf(hour)))];
  },
  apply(event, documents) {
    const data = event.data as DiscountAppliedData;
    const { customerId, hour, utilization } = data;
    const date = dayOf(hour);
    const costKey = costKeys.costDay(customerId, date);
    const perSubscription: CostDay['hours'][string] = {};
    for (const { subscriptionId, payAsYouGoCostUsd, discountedCostUsd } of subscriptionCosts(data)) {
      perSubscription[subscriptionId] = { payAsYouGoCostUsd, discountedCostUsd };
    }
    const previous = documents[costKey] as CostDay | undefined;
    const writes: ViewWrite[] = [
      { kind: 'put', key: costKey, document: { customerId, date, hours: { ...previous?.hours, [hour]: perSubscription } } satisfies CostDay },
      { kind: 'index', key: costKeys.daysOfCustomer(customerId), score: Date.parse(date), member: date },
    ];
    for (const { reservationId, usedHours, bySubscription } of utilization) {
      const key = costKeys.utilizationDay(reservationId, date);
      const before = documents[key] as UtilizationDay | undefined;
      const document: UtilizationDay = { reservationId, date, hours: { ...before?.hours, [hour]: usedHours } };
      const usedBy = { ...before?.usedBy };
      if (bySubscription) usedBy[hour] = bySubscription;
      else delete usedBy[hour];
      if (Object.keys(usedBy).length > 0) document.usedBy = usedBy;
      writes.push({ kind: 'put', key, document });
      writes.push({ kind: 'index', key: costKeys.daysOfReservation(reservationId), score: Date.parse(date), member: date });
    }
    return writes;
  },
};
