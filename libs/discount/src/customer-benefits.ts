import { Injectable } from '@nestjs/common';
import {
  customerDecider,
  customerStream,
  ManagementGroupLookup,
  managementGroupOf,
  quantityAt,
  ReservationBenefit,
  returnHours,
} from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { reservationKeys, reservationsIn, ReservationView, ViewReader } from '@app/projections';

/** What the discount engine needs to know of a customer: its reservations, and its subscriptions' management groups. */
export interface CustomerBenefits {
  reservations: ReservationBenefit[];
  groupOf: ManagementGroupLookup;
}

/** Reads a customer's benefits for the engine: the discount job and the purchase recommendations both apply them. */
@Injectable()
export class CustomerBenefitsReader {
  constructor(
    private readonly views: ViewReader,
    private readonly streams: EventStreams,
  ) {}

  async of(customerId: string): Promise<CustomerBenefits> {
    const [reservations, groupOf] = await Promise.all([
      this.reservationsOf(customerId),
      this.managementGroupsOf(customerId),
    ]);
    return { reservations, groupOf };
  }

  /** Which group each subscription was in, hour by hour, from the customer's own stream (the decision record, not a view). */
  private async managementGroupsOf(customerId: string): Promise<ManagementGroupLookup> {
    const { state: customer } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    return customer.status === 'registered'
      ? (subscriptionId, hour) => managementGroupOf(customer, subscriptionId, hour)
      : () => undefined;
  }

  private async reservationsOf(customerId: string): Promise<ReservationBenefit[]> {
    return (await reservationsIn(this.views, reservationKeys.ofCustomer(customerId), { limit: 10_000 })).flatMap(
      benefitsOf,
    );
  }
}

/**
 * A reservation as the engine sees it: one benefit per stretch of its term
 * with one scope and one quantity, ending early when it was cancelled, split
 * or merged. So a scope change or a return mid-month counts from the hour it
 * took effect, and an ended reservation stops applying at once.
 */
export function benefitsOf(reservation: ReservationView): ReservationBenefit[] {
  if (reservation.status === 'none') return [];
  const { reservationId, customerId, region, flexibilityGroup, ratio, effectiveDate } = reservation;
  const end =
    reservation.endedAt && reservation.endedAt < reservation.expiryDate ? reservation.endedAt : reservation.expiryDate;
  const periods = reservation.scopePeriods?.length
    ? reservation.scopePeriods
    : [{ from: effectiveDate, scope: reservation.scope, appliedSubscriptionIds: reservation.appliedSubscriptionIds }];
  const returns = returnHours(reservation).map((hour) => new Date(hour).toISOString());
  return periods.flatMap((period, i) => {
    const from = period.from > effectiveDate ? period.from : effectiveDate;
    const until = periods[i + 1] && periods[i + 1].from < end ? periods[i + 1].from : end;
    if (from >= until) return [];
    // Within the scope's stretch, a new piece wherever a return changed the quantity.
    const cuts = [from, ...returns.filter((hour) => hour > from && hour < until), until];
    return cuts.slice(0, -1).map((start, j) => ({
      reservationId,
      customerId,
      region,
      flexibilityGroup,
      ratio,
      quantity: quantityAt(reservation, Date.parse(start)),
      scope: period.scope,
      effectiveDate: start,
      expiryDate: cuts[j + 1],
      purchasedAt: effectiveDate,
    }));
  });
}
