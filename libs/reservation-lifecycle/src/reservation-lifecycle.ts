import { Injectable, Logger } from '@nestjs/common';
import { Catalog, PlacedOrder, RENEWAL_PRICE_LOCK_DAYS, ReservationCommand, reservationOf } from '@app/domain';
import { CommandContext } from '@app/eventstore-client';
import { OrderNumbers, RenewalOrders, renewalOrderIdFor, ReservationOrders } from '@app/ordering';
import { reservationKeys, reservationsIn, ViewReader } from '@app/projections';

const DAY_MS = 86_400_000;

export interface LifecycleOutcome {
  examined: number;
  priceLocked: number;
  renewed: number;
  expired: number;
}

/**
 * The daily pass: for every reservation that ends within the price-lock
 * window or already has, lock the renewal price, renew at expiry, and expire
 * it, each decided on the reservation's order stream. Renewal records
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
  ) {}

  async run(now: string, correlationId: string): Promise<LifecycleOutcome> {
    const horizon = Date.parse(now) + RENEWAL_PRICE_LOCK_DAYS * DAY_MS;
    const reservations = await reservationsIn(this.views, reservationKeys.byExpiry, { maxScore: horizon, limit: 100_000 });
    const outcome: LifecycleOutcome = { examined: 0, priceLocked: 0, renewed: 0, expired: 0 };
    for (const view of reservations) {
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
      const currentUnitPriceUsd = this.catalog.get(view.catalogItemId)?.unitPriceUsd ?? view.unitPriceUsd ?? 0;
      const locked = await change({ type: 'LockRenewalPrice', data: { currentUnitPriceUsd, now } }, 'lock-renewal-price');
      outcome.priceLocked += locked.events.length;
      const reservation = reservationOf(locked.state, reservationId);
      if (now < reservation.expiryDate) continue;
      if (reservation.autoRenew && !reservation.renewalOrderId) {
        const renewalOrderId = renewalOrderIdFor(reservationId);
        const renewalOrderNumber = await this.orderNumbers.allocate(renewalOrderId, context('renewal-number'));
        const renewed = await change({ type: 'Renew', data: { renewalOrderId, renewalOrderNumber, currentUnitPriceUsd, now } }, 'renew');
        await this.renewals.place(orderId, reservationId, renewed.state as PlacedOrder, context('renewal-order'));
        outcome.renewed++;
      }
      const expired = await change({ type: 'Expire', data: { now } }, 'expire');
      outcome.expired += expired.events.length;
    }
    if (outcome.priceLocked + outcome.renewed + outcome.expired > 0) this.logger.log(`lifecycle ${now}: ${JSON.stringify(outcome)}`);
    return outcome;
  }
}
