import { Injectable, Logger } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { ActiveReservation, Catalog, orderDecider, orderStream, RENEWAL_PRICE_LOCK_DAYS, reservationDecider, reservationStream } from '@app/domain';
import { CommandContext, EventStreams } from '@app/eventstore';
import { OrderNumbers } from '@app/ordering';
import { reservationsIn, ViewReader } from '@app/projections';

const NAMESPACE = '3f8b2d6e-1a4c-4b7f-9e25-6c0d8a1f4e72';
const DAY_MS = 86_400_000;

/** A reservation renews once, so its renewal order's id derives from it. */
export const renewalOrderIdFor = (reservationId: string) => uuidv5(`${reservationId}/renewal`, NAMESPACE);

export interface LifecycleOutcome {
  examined: number;
  priceLocked: number;
  renewed: number;
  expired: number;
}

/**
 * The daily pass: for every reservation that ends within the price-lock
 * window or already has, lock the renewal price, renew at expiry through the
 * ordering path (a system purchase: an order placed like any other, then
 * fulfilled by the same workers), and expire it. Every step is idempotent, so
 * the pass may run again, or twice at once, without doing anything twice.
 */
@Injectable()
export class ReservationLifecycle {
  private readonly logger = new Logger('ReservationLifecycle');

  constructor(
    private readonly views: ViewReader,
    private readonly streams: EventStreams,
    private readonly catalog: Catalog,
    private readonly orderNumbers: OrderNumbers,
  ) {}

  async run(now: string, correlationId: string): Promise<LifecycleOutcome> {
    const horizon = Date.parse(now) + RENEWAL_PRICE_LOCK_DAYS * DAY_MS;
    const reservations = await reservationsIn(this.views, 'by-expiry', { maxScore: horizon, limit: 100_000 });
    const outcome: LifecycleOutcome = { examined: 0, priceLocked: 0, renewed: 0, expired: 0 };
    for (const view of reservations) {
      if (view.status !== 'Succeeded') continue;
      outcome.examined++;
      const { reservationId, partnerId } = view;
      // Each step happens once per reservation, so each has an id of its own derived from it.
      const context = (step: string): CommandContext => ({ correlationId, commandId: `${reservationId}/${step}`, partnerId, actor: 'system/reservation-lifecycle', now });
      const currentUnitPriceUsd = this.catalog.get(view.catalogItemId)?.unitPriceUsd ?? view.unitPriceUsd ?? 0;
      const locked = await this.streams.handle(reservationStream(reservationId), reservationDecider, { type: 'LockRenewalPrice', data: { currentUnitPriceUsd, now } }, context('lock-renewal-price'));
      outcome.priceLocked += locked.events.length;
      const reservation = locked.state as ActiveReservation;
      if (now < reservation.expiryDate) continue;
      if (reservation.autoRenew && !reservation.renewalOrderId) {
        await this.renew(reservation, currentUnitPriceUsd, context('renew'));
        outcome.renewed++;
      }
      const expired = await this.streams.handle(reservationStream(reservationId), reservationDecider, { type: 'Expire', data: { now } }, context('expire'));
      outcome.expired += expired.events.length;
    }
    if (outcome.priceLocked + outcome.renewed + outcome.expired > 0) this.logger.log(`lifecycle ${now}: ${JSON.stringify(outcome)}`);
    return outcome;
  }

  /** Places the renewal order first, then records the renewal: a crash between them is finished by the next pass. */
  private async renew(reservation: ActiveReservation, currentUnitPriceUsd: number, context: CommandContext): Promise<void> {
    const orderId = renewalOrderIdFor(reservation.reservationId);
    const unitPriceUsd = Math.min(reservation.renewalUnitPriceUsd ?? reservation.unitPriceUsd ?? currentUnitPriceUsd, currentUnitPriceUsd);
    const orderContext = { ...context, commandId: orderId };
    const orderNumber = await this.orderNumbers.allocate(orderId, orderContext);
    const billingSubscription = reservation.scope.type === 'single' ? reservation.scope.subscriptionId : reservation.appliedSubscriptionIds[0];
    const line = {
      lineId: uuidv5(`${orderId}/line`, NAMESPACE),
      catalogItemId: reservation.catalogItemId,
      armSkuName: reservation.armSkuName,
      region: reservation.region,
      term: reservation.term,
      billingPlan: reservation.billingPlan,
      quantity: reservation.quantity,
      subscriptionId: billingSubscription,
      unitPriceUsd,
    };
    await this.streams.handle(
      orderStream(orderId),
      orderDecider,
      {
        type: 'PlaceOrder',
        data: {
          orderId, orderNumber, cartId: reservation.reservationId, customerId: reservation.customerId, partnerId: reservation.partnerId,
          lines: [line], scope: reservation.scope, billingPlan: reservation.billingPlan, totalUsd: Math.round(unitPriceUsd * reservation.quantity * 100) / 100, now: context.now,
        },
      },
      orderContext,
    );
    await this.streams.handle(reservationStream(reservation.reservationId), reservationDecider, { type: 'Renew', data: { renewalOrderId: orderId, currentUnitPriceUsd, now: context.now } }, context);
  }
}
