import { HeldQuantity, quantityAt, termStartFor } from '../reservation/reservation';
import { HOUR_MS, nextWholeHourMs } from '../shared/hours';

const DAY_MS = 24 * HOUR_MS;
const round = (value: number) => Math.round(value * 1e6) / 1e6;

/** What amortizing needs to know of a reservation. */
export interface AmortizedReservation extends HeldReservation {
  reservationId: string;
  /** One instance for the whole term. */
  unitPriceUsd: number;
  /** The price is for the whole term, which a part of a split or merge only finishes. */
  term: 'P1Y' | 'P3Y';
  /** The subscription that pays for it, charged its unused part (absent on older reservations). */
  billingSubscriptionId?: string;
}

/** A reservation's use in one hour, as the discount recorded it. */
export interface ReservationHourUse {
  usedHours: number;
  /** Used hours per subscription; absent on older events, whose use is charged to the billing subscription. */
  bySubscription?: Record<string, number>;
}

export type AmortizedCostRow =
  | {
      date: string;
      subscriptionId: string;
      chargeType: 'Usage';
      /** Usage no reservation covered, at pay-as-you-go, and licences. */
      payAsYouGoChargesUsd: number;
      /** The subscription's share of the reservations it used, at their amortized hourly cost. */
      reservationChargesUsd: number;
      costUsd: number;
    }
  | {
      date: string;
      /** The reservation's billing subscription, when known. */
      subscriptionId?: string;
      chargeType: 'UnusedReservation';
      reservationId: string;
      unusedHours: number;
      costUsd: number;
    };

export interface AmortizedDayInput {
  /** A UTC day, `YYYY-MM-DD`. */
  date: string;
  reservations: readonly AmortizedReservation[];
  /** The day's actual usage charges per subscription (what the actual cost view shows as discounted cost). */
  usageChargesBySubscription: Readonly<Record<string, number>>;
  /** Per reservation, its use in each hour (ISO hour → use); an hour missing was not used at all. */
  use: (reservationId: string) => Readonly<Record<string, ReservationHourUse>>;
  /** Hours from here on have not happened yet and are left out. */
  now: string;
}

/** What heldHoursOfDay needs of a reservation. */
export interface HeldReservation extends HeldQuantity {
  effectiveDate: string;
  expiryDate: string;
  /** When it stopped applying (cancelled, split, merged), if before expiry. */
  endedAt?: string;
}

/**
 * The hours of a UTC day a reservation was in effect, each with the VMs it
 * held then: from its first whole hour (the discount counts it from there),
 * through the hour it ended in (the discount gives that hour to it), and not
 * beyond `nowMs`.
 */
export function* heldHoursOfDay(
  reservation: HeldReservation,
  dayStartMs: number,
  nowMs = Infinity,
): Generator<[hourMs: number, held: number]> {
  const end = Math.min(
    dayStartMs + DAY_MS,
    Date.parse(reservation.expiryDate),
    reservation.endedAt ? Date.parse(reservation.endedAt) : Infinity,
    nowMs,
  );
  for (let hour = Math.max(dayStartMs, nextWholeHourMs(reservation.effectiveDate)); hour < end; hour += HOUR_MS)
    yield [hour, quantityAt(reservation, hour)];
}

/**
 * The reservation's price per hour: its whole price spread evenly over the
 * hours of its term. A part made by a split or merge keeps its source's
 * price for the whole term, so it is spread from the term's start, not the
 * part's own: the source was amortized until then.
 */
export const hourlyCostUsd = (reservation: AmortizedReservation) => {
  const hours =
    (Date.parse(reservation.expiryDate) - nextWholeHourMs(termStartFor(reservation.expiryDate, reservation.term))) /
    HOUR_MS;
  return hours > 0 ? (reservation.unitPriceUsd * reservation.quantity) / hours : 0;
};

/**
 * Azure's amortized cost for one day: each reservation's price spread over
 * the hours of its term; the hours its subscriptions used are charged to them
 * (with their uncovered usage), and the rest is an `UnusedReservation` charge
 * on the reservation's billing subscription. Use it or lose it: an hour with
 * no use is unused in full. So, for the hours a reservation is in effect,
 * reservation charges plus unused charges are exactly its amortized cost.
 */
export function amortizedCostsOfDay({
  date,
  reservations,
  usageChargesBySubscription,
  use,
  now,
}: AmortizedDayInput): AmortizedCostRow[] {
  const dayStart = Date.parse(date);
  const reservationCharges = new Map<string, number>();
  const unused: AmortizedCostRow[] = [];
  for (const reservation of reservations) {
    // Per VM: a return leaves the price of each remaining VM as it was.
    const perVmHour = hourlyCostUsd({ ...reservation, quantity: 1 });
    const uses = use(reservation.reservationId);
    let unusedHours = 0;
    let unusedUsd = 0;
    for (const [hour, held] of heldHoursOfDay(reservation, dayStart, Date.parse(now))) {
      const used = uses[new Date(hour).toISOString()];
      const usedHours = Math.min(held, used?.usedHours ?? 0);
      const shares =
        used?.bySubscription ??
        (usedHours > 0 && reservation.billingSubscriptionId ? { [reservation.billingSubscriptionId]: usedHours } : {});
      for (const [subscriptionId, hours] of Object.entries(shares)) {
        reservationCharges.set(subscriptionId, (reservationCharges.get(subscriptionId) ?? 0) + perVmHour * hours);
      }
      unusedHours += held - usedHours;
      unusedUsd += perVmHour * (held - usedHours);
    }
    if (unusedHours > 1e-9) {
      unused.push({
        date,
        ...(reservation.billingSubscriptionId ? { subscriptionId: reservation.billingSubscriptionId } : {}),
        chargeType: 'UnusedReservation',
        reservationId: reservation.reservationId,
        unusedHours: round(unusedHours),
        costUsd: round(unusedUsd),
      });
    }
  }
  const subscriptions = new Set([...Object.keys(usageChargesBySubscription), ...reservationCharges.keys()]);
  const usage: AmortizedCostRow[] = [...subscriptions].map((subscriptionId) => {
    const payAsYouGoChargesUsd = round(usageChargesBySubscription[subscriptionId] ?? 0);
    const reservationChargesUsd = round(reservationCharges.get(subscriptionId) ?? 0);
    return {
      date,
      subscriptionId,
      chargeType: 'Usage',
      payAsYouGoChargesUsd,
      reservationChargesUsd,
      costUsd: round(payAsYouGoChargesUsd + reservationChargesUsd),
    };
  });
  const order = (row: AmortizedCostRow) =>
    `${row.chargeType === 'Usage' ? 0 : 1}${row.subscriptionId ?? ''}${'reservationId' in row ? row.reservationId : ''}`;
  return [...usage, ...unused].sort((a, b) => order(a).localeCompare(order(b)));
}
