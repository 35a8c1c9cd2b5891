import { Injectable, Logger } from '@nestjs/common';
import {
  ActiveReservation,
  Catalog,
  catalogItemId,
  customerDecider,
  customerStream,
  duePayments,
  isActiveSubscription,
  Order,
  OrderCommand,
  PlacedOrder,
  RENEWAL_PRICE_LOCK_DAYS,
  ReservationCommand,
  reservationOf,
  renewalOf,
} from '@app/domain';
import { CommandContext, EventStreams } from '@app/eventstore-client';
import {
  billingSubscriptionOf,
  OrderNumbers,
  RenewalOrders,
  renewalOrderIdFor,
  ReservationOrders,
} from '@app/ordering';
import { eachReservationIn, reservationKeys, ViewReader } from '@app/projections';
import { crashPoint } from '@app/runtime';

const DAY_MS = 86_400_000;

export interface LifecycleOutcome {
  examined: number;
  priceLocked: number;
  renewed: number;
  renewalsFailed: number;
  expired: number;
  paymentsRecorded: number;
  /** The orders of the renewals bought: fulfilled by the workers after the pass. */
  renewalOrderIds: string[];
}

/**
 * The daily pass, as of the instant it is given (the Clock's): for every
 * reservation that ends within the price-lock window or already has, lock
 * the renewal price 30 days before expiry and, once expiry has come, buy the
 * renewal its settings then ask for and expire it, in one append to the
 * reservation's order. Nothing is bought ahead of expiry, so any change
 * before it (auto-renew off, other settings, a return, an exchange, a
 * split, a merge) has nothing to undo. The renewal order is then placed from
 * ReservationRenewed, here and by the renewal reactor, so a crash in between
 * is finished in the background. Monthly payments fallen due are taken
 * first. Every step is idempotent, so the pass may run again, or twice at
 * once, without doing anything twice.
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
    const outcome: LifecycleOutcome = {
      examined: 0,
      priceLocked: 0,
      renewed: 0,
      renewalsFailed: 0,
      expired: 0,
      paymentsRecorded: 0,
      renewalOrderIds: [],
    };
    outcome.paymentsRecorded = await this.recordDuePayments(now, correlationId);
    const horizon = Date.parse(now) + RENEWAL_PRICE_LOCK_DAYS * DAY_MS;
    for await (const view of eachReservationIn(this.views, reservationKeys.byExpiry, { maxScore: horizon })) {
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
      if (Date.parse(now) < Date.parse(view.expiryDate)) {
        const change: ReservationCommand = {
          type: 'LockRenewalPrice',
          data: { currentUnitPriceUsd: this.renewalPrice(view, now), now },
        };
        const locked = await this.orders.handle(
          orderId,
          { type: 'ChangeReservation', data: { reservationId, change } },
          context('lock-renewal-price'),
        );
        outcome.priceLocked += locked.events.length;
        continue;
      }
      const reached = await this.orders.handle(
        orderId,
        (order) => this.reachExpiry(order, reservationId, now, context),
        context('reach-expiry'),
      );
      for (const event of reached.events) {
        if (event.type === 'ReservationRenewed') outcome.renewed++;
        if (event.type === 'ReservationRenewalFailed') outcome.renewalsFailed++;
        if (event.type === 'ReservationExpired') outcome.expired++;
      }
      if (reached.events.some((event) => event.type === 'ReservationRenewed')) {
        crashPoint('renewal:after-decision');
        await this.renewals.place(orderId, reservationId, reached.state as PlacedOrder, context('renewal-order'));
        outcome.renewalOrderIds.push(renewalOrderIdFor(reservationId));
      }
    }
    if (outcome.priceLocked + outcome.renewed + outcome.renewalsFailed + outcome.expired + outcome.paymentsRecorded > 0)
      this.logger.log(`lifecycle ${now}: ${JSON.stringify(outcome)}`);
    return outcome;
  }

  /** The market price at `at` of what the renewal buys (its SKU and region, for the renewal's term); undefined when it is not sold. */
  private renewalPrice(reservation: ActiveReservation, at: string): number | undefined {
    return this.catalog.get(catalogItemId(reservation.armSkuName, reservation.region, renewalOf(reservation).term), at)
      ?.unitPriceUsd;
  }

  /**
   * The expiry, decided on the order as it is now: what the renewal needs from
   * outside the reservation (its market price, whether its billing
   * subscription is active, an order number when it will be bought) is
   * found first.
   */
  private async reachExpiry(
    order: Order,
    reservationId: string,
    now: string,
    context: (step: string) => CommandContext,
  ): Promise<OrderCommand> {
    const reservation = reservationOf(order, reservationId);
    const billingSubscriptionId = billingSubscriptionOf(reservation, order as PlacedOrder);
    // The market as it stood at the expiry instant, whenever the pass runs after it.
    const marketUnitPriceUsd = this.renewalPrice(reservation, reservation.expiryDate);
    const { state: customer } = await this.streams.aggregate(customerStream(reservation.customerId), customerDecider);
    const billingActive = customer.status === 'registered' && isActiveSubscription(customer, billingSubscriptionId);
    const orderId = renewalOrderIdFor(reservationId);
    const buys =
      reservation.status === 'Succeeded' &&
      reservation.autoRenew &&
      !reservation.renewalOrderId &&
      !reservation.renewalFailure;
    // A number only for an order that will be placed; allocating again for the same order gives the same number.
    const orderNumber =
      buys && marketUnitPriceUsd !== undefined && billingActive
        ? await this.orderNumbers.allocate(orderId, context('renewal-number'))
        : '';
    const renewal = { orderId, orderNumber, marketUnitPriceUsd, billingActive, billingSubscriptionId };
    return {
      type: 'ChangeReservation',
      data: { reservationId, change: { type: 'ReachExpiry', data: { renewal, now } } },
    };
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
        {
          correlationId,
          commandId: `${reservationId}/payments/${now.slice(0, 10)}`,
          partnerId,
          actor: 'system/reservation-lifecycle',
          now,
        },
      );
      recorded += handled.events.length;
      if (handled.events.length > 0) crashPoint('lifecycle:after-payments');
    }
    return recorded;
  }
}
