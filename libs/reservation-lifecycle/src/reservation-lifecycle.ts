import { Injectable, Logger } from '@nestjs/common';
import {
  Catalog,
  catalogItemId,
  customerDecider,
  customerStream,
  duePayments,
  isActiveSubscription,
  PlacedOrder,
  RENEWAL_LEAD_MS,
  RENEWAL_PRICE_LOCK_DAYS,
  ReservationCommand,
  reservationOf,
  renewalOf,
} from '@app/domain';
import { CommandContext, EventStreams } from '@app/eventstore-client';
import { billingSubscriptionOf, OrderNumbers, RenewalOrders, renewalOrderIdFor, ReservationOrders } from '@app/ordering';
import { eachReservationIn, reservationKeys, ViewReader } from '@app/projections';

const DAY_MS = 86_400_000;

export interface LifecycleOutcome {
  examined: number;
  priceLocked: number;
  renewed: number;
  renewalsFailed: number;
  expired: number;
  paymentsRecorded: number;
}

/**
 * The daily pass: for every reservation that ends within the price-lock
 * window or already has, lock the renewal price, buy its renewal ahead of
 * expiry (taking effect the moment the old one ends), and expire it, each
 * decided on the reservation's order stream. A renewal whose billing
 * subscription is no longer active fails, with the reason recorded. Renewal records
 * ReservationRenewed (with the renewal order's id and number) on the old
 * order first; the renewal order is then placed from that event, here and by
 * the renewal reactor, so a crash in between is finished in the background.
 * Every step is idempotent, so the pass may run again, or twice at once,
 * without doing anything twice.
 */
@Injectable()
export class ReservationLifecycle {
  private readonly logger = new Logger('ReservationLifecycle');

  constructor(
    private readonly views: ViewReader,
    private readonly orders: ReservationOrders,
    private readonly catalog: Catalog,
    private readonly orderNumbers: OrderNumbers,
    private readonly renewals: RenewalOrders,
    private readonly streams: EventStreams,
  ) {}

  async run(now: string, correlationId: string): Promise<LifecycleOutcome> {
    const horizon = Date.parse(now) + RENEWAL_PRICE_LOCK_DAYS * DAY_MS;
    const reservations = eachReservationIn(this.views, reservationKeys.byExpiry, { maxScore: horizon });
    const outcome: LifecycleOutcome = { examined: 0, priceLocked: 0, renewed: 0, renewalsFailed: 0, expired: 0, paymentsRecorded: 0 };
    outcome.paymentsRecorded = await this.recordDuePayments(now, correlationId);
    for await (const view of reservations) {
      if (view.status !== 'Succeeded') continue;
      outcome.examined++;
      const { reservationId, partnerId, orderId } = view;
      // Each step happens once per reservation, so each has an id of its own derived from it.
      const context = (step: string): CommandContext => ({
        correlationId,
        commandId: `${reservationId}/${step}`,
        partnerId,
        actor: 'system/reservation-lifecycle',
        now,
      });
      const change = (command: ReservationCommand, step: string) =>
        this.orders.handle(orderId, { type: 'ChangeReservation', data: { reservationId, change: command } }, context(step));
      // The market price of what the renewal buys (its term may have been changed).
      const renewalItem = this.catalog.get(catalogItemId(view.armSkuName, view.region, renewalOf(view).term));
      const currentUnitPriceUsd = renewalItem?.unitPriceUsd ?? view.unitPriceUsd ?? 0;
      const locked = await change({ type: 'LockRenewalPrice', data: { currentUnitPriceUsd, now } }, 'lock-renewal-price');
      outcome.priceLocked += locked.events.length;
      const reservation = reservationOf(locked.state, reservationId);
      const due = Date.parse(now) >= Date.parse(reservation.expiryDate) - RENEWAL_LEAD_MS;
      if (due && reservation.autoRenew && !reservation.renewalOrderId && !reservation.renewalFailure) {
        const billing = billingSubscriptionOf(reservation, locked.state as PlacedOrder);
        const { state: customer } = await this.streams.aggregate(customerStream(reservation.customerId), customerDecider);
        if (customer.status !== 'registered' || !isActiveSubscription(customer, billing)) {
          const reason = `its billing subscription ${billing} is not active`;
          outcome.renewalsFailed += (await change({ type: 'FailRenewal', data: { reason, now } }, 'fail-renewal')).events.length;
        } else {
          const renewalOrderId = renewalOrderIdFor(reservationId);
          const renewalOrderNumber = await this.orderNumbers.allocate(renewalOrderId, context('renewal-number'));
          const renewed = await change({ type: 'Renew', data: { renewalOrderId, renewalOrderNumber, currentUnitPriceUsd, now } }, 'renew');
          await this.renewals.place(orderId, reservationId, renewed.state as PlacedOrder, context('renewal-order'));
          outcome.renewed++;
        }
      }
      if (now < reservation.expiryDate) continue;
      const expired = await change({ type: 'Expire', data: { now } }, 'expire');
      outcome.expired += expired.events.length;
    }
    if (outcome.priceLocked + outcome.renewed + outcome.renewalsFailed + outcome.expired + outcome.paymentsRecorded > 0)
      this.logger.log(`lifecycle ${now}: ${JSON.stringify(outcome)}`);
    return outcome;
  }

  /**
   * Every monthly reservation still running takes the payments fallen due (a
   * missed day is caught up on the next). The view says which owe one, so
   * only those are decided on their order; the decision reads the order, so a
   * view behind it costs a read that records nothing, never a payment twice.
   */
  private async recordDuePayments(now: string, correlationId: string): Promise<number> {
    let recorded = 0;
    for await (const view of eachReservationIn(this.views, reservationKeys.byExpiry, { minScore: Date.parse(now) })) {
      if (view.status !== 'Succeeded' || duePayments(view, now).length === 0) continue;
      const { reservationId, partnerId, orderId } = view;
      const handled = await this.orders.handle(
        orderId,
        { type: 'ChangeReservation', data: { reservationId, change: { type: 'RecordDuePayments', data: { now } } } },
        { correlationId, commandId: `${reservationId}/payments/${now.slice(0, 10)}`, partnerId, actor: 'system/reservation-lifecycle', now },
      );
      recorded += handled.events.length;
    }
    return recorded;
  }
}
