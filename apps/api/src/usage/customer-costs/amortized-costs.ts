import { AmortizedCostRow, amortizedCostsOfDay, AmortizedReservation, ReservationHourUse } from '@app/domain';
import {
  CostDay,
  costDays,
  reservationKeys,
  reservationsIn,
  subscriptionTotals,
  utilizationDays,
  ViewReader,
} from '@app/projections';

const DAY_MS = 86_400_000;
/** At most this many days in one answer; a longer range gives its latest days. */
export const MAX_COST_DAYS = 1_000;

const dayOf = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The actual usage charges of each subscription on a day (what the actual view calls discounted cost). */
const usageChargesOf = (day: CostDay): Record<string, number> =>
  Object.fromEntries(
    [...subscriptionTotals(day)].map(([subscriptionId, { discountedCostUsd }]) => [subscriptionId, discountedCostUsd]),
  );

/**
 * The amortized view of a customer's costs over a range of UTC days: every
 * day a reservation was in effect counts, with or without usage (an idle day
 * is an unused one), up to today.
 */
export async function amortizedCosts(
  views: ViewReader,
  customerId: string,
  range: { fromMs?: number; toMs?: number },
  now: string,
): Promise<AmortizedCostRow[]> {
  const reservations = await reservationsIn(views, reservationKeys.ofCustomer(customerId), { limit: 10_000 });
  const costs = await costDays(views, customerId, {
    minScore: range.fromMs,
    maxScore: range.toMs,
    limit: MAX_COST_DAYS,
  });
  const costByDate = new Map(costs.flatMap(({ document }) => (document ? [[document.date, document] as const] : [])));

  const earliest = Math.min(
    ...reservations.map((r) => Date.parse(r.effectiveDate)),
    ...[...costByDate.keys()].map((date) => Date.parse(date)),
  );
  const last = Math.min(range.toMs ?? Infinity, dayOf(Date.parse(now)));
  const first = Math.max(range.fromMs ?? -Infinity, dayOf(earliest), last - (MAX_COST_DAYS - 1) * DAY_MS);
  if (!Number.isFinite(first) || first > last) return [];

  // Reservations recorded before their price was kept cannot be amortized.
  const amortizable: AmortizedReservation[] = reservations.flatMap((r) =>
    r.unitPriceUsd === undefined
      ? []
      : [
          {
            reservationId: r.reservationId,
            quantity: r.quantity,
            unitPriceUsd: r.unitPriceUsd,
            effectiveDate: r.effectiveDate,
            expiryDate: r.expiryDate,
            term: r.term,
            endedAt: r.endedAt,
            billingSubscriptionId: r.billingSubscriptionId,
            returns: r.returns,
          },
        ],
  );
  const useOf = new Map<string, Record<string, ReservationHourUse>>();
  for (const reservation of amortizable) {
    const days = await utilizationDays(views, reservation.reservationId, {
      minScore: first,
      maxScore: last,
      limit: MAX_COST_DAYS,
    });
    const hours: Record<string, ReservationHourUse> = {};
    for (const { document } of days) {
      for (const [hour, usedHours] of Object.entries(document?.hours ?? {}))
        hours[hour] = { usedHours, bySubscription: document?.usedBy?.[hour] };
    }
    useOf.set(reservation.reservationId, hours);
  }

  const rows: AmortizedCostRow[] = [];
  for (let day = first; day <= last; day += DAY_MS) {
    const date = isoDate(day);
    const cost = costByDate.get(date);
    rows.push(
      ...amortizedCostsOfDay({
        date,
        reservations: amortizable,
        usageChargesBySubscription: cost ? usageChargesOf(cost) : {},
        use: (reservationId) => useOf.get(reservationId) ?? {},
        now,
      }),
    );
  }
  return rows;
}
