import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import {
  applyReservationDiscounts,
  Catalog,
  customerDecider,
  customerStream,
  discountDecider,
  discountStream,
  ManagementGroupLookup,
  managementGroupOf,
  ReservationBenefit,
  summarizeHour,
} from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { reservationKeys, reservationsIn, ReservationView, ViewReader } from '@app/projections';
import { HourRange, UsageStore } from './usage-store';

const NAMESPACE = '2a7c9e41-6b3d-4f58-9e12-8d4b7c3a1f60';

export interface DiscountJob extends HourRange {
  partnerId: string;
  correlationId: string;
}

/**
 * Applies the reservation discount to one customer's usage over a range of
 * hours and records DiscountApplied per hour. Deterministic: rerunning it for
 * the same hours with the same inputs writes nothing new.
 */
@Injectable()
export class DiscountCalculation {
  constructor(
    private readonly usage: UsageStore,
    private readonly views: ViewReader,
    private readonly streams: EventStreams,
    private readonly catalog: Catalog,
  ) {}

  async run(job: DiscountJob): Promise<{ hours: number; records: number; written: number }> {
    const byHour = await this.usage.load(job);
    const reservations = await this.reservationsOf(job.customerId);
    const groupOf = await this.managementGroupsOf(job.customerId);
    let records = 0;
    let written = 0;
    for (const [hour, usage] of byHour) {
      const result = applyReservationDiscounts(usage, reservations, (size) => this.catalog.sizeOf(size), groupOf);
      const resultHash = createHash('sha256').update(JSON.stringify(result)).digest('hex');
      const handled = await this.streams.handle(
        discountStream(job.customerId, hour),
        discountDecider,
        { type: 'ApplyDiscount', data: { customerId: job.customerId, hour, resultHash, ...summarizeHour(result) } },
        {
          correlationId: job.correlationId,
          // Same hour, same result: same event ids, so even a racing rerun writes once.
          commandId: uuidv5(`${job.customerId}/${hour}/${resultHash}`, NAMESPACE),
          partnerId: job.partnerId,
          actor: 'worker/discount',
          now: new Date().toISOString(),
        },
      );
      records += usage.length;
      written += handled.events.length;
    }
    return { hours: byHour.size, records, written };
  }

  /** Which group each subscription was in, hour by hour, from the customer's own stream (the decision record, not a view). */
  private async managementGroupsOf(customerId: string): Promise<ManagementGroupLookup> {
    const { state: customer } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    return customer.status === 'registered' ? (subscriptionId, hour) => managementGroupOf(customer, subscriptionId, hour) : () => undefined;
  }

  private async reservationsOf(customerId: string): Promise<ReservationBenefit[]> {
    return (await reservationsIn(this.views, reservationKeys.ofCustomer(customerId), { limit: 10_000 })).flatMap(benefitsOf);
  }
}

/**
 * A reservation as the engine sees it: one benefit per stretch of its term
 * with one scope, ending early when it was cancelled, split or merged. So a
 * scope change mid-month counts from the hour it took effect, and an ended
 * reservation stops applying at once.
 */
export function benefitsOf(reservation: ReservationView): ReservationBenefit[] {
  if (reservation.status === 'none') return [];
  const { reservationId, customerId, region, flexibilityGroup, ratio, quantity, effectiveDate } = reservation;
  const end = reservation.endedAt && reservation.endedAt < reservation.expiryDate ? reservation.endedAt : reservation.expiryDate;
  const periods = reservation.scopePeriods?.length
    ? reservation.scopePeriods
    : [{ from: effectiveDate, scope: reservation.scope, appliedSubscriptionIds: reservation.appliedSubscriptionIds }];
  return periods.flatMap((period, i) => {
    const from = period.from > effectiveDate ? period.from : effectiveDate;
    const until = periods[i + 1] && periods[i + 1].from < end ? periods[i + 1].from : end;
    if (from >= until) return [];
    return [
      {
        reservationId,
        customerId,
        region,
        flexibilityGroup,
        ratio,
        quantity,
        scope: period.scope,
        effectiveDate: from,
        expiryDate: until,
        purchasedAt: effectiveDate,
      },
    ];
  });
}
