import { Injectable, Logger } from '@nestjs/common';
import { customerDecider, customerStream } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';
import { correlationIdOf, ProjectedEvent, Reactor, reservationKeys, reservationsIn, ViewReader } from '@app/projections';

/**
 * When a subscription is suspended, every reservation scoped to it alone
 * falls back to shared and records why. The customer's reservations are
 * found through the reservations view; each command is decided on the
 * reservation's order stream and is idempotent, with an id derived from the
 * suspension event, so a replay changes nothing.
 */
@Injectable()
export class ScopeFallbackReactor implements Reactor {
  readonly name = 'scope-fallback';
  readonly eventTypes = ['SubscriptionSuspended'];
  private readonly logger = new Logger('ScopeFallback');

  constructor(
    private readonly streams: EventStreams,
    private readonly orders: ReservationOrders,
    private readonly views: ViewReader,
  ) {}

  async react(event: ProjectedEvent): Promise<void> {
    const { customerId, subscriptionId, suspendedAt } = event.data as { customerId: string; subscriptionId: string; suspendedAt: string };
    const reservations = await reservationsIn(this.views, reservationKeys.ofCustomer(customerId), { limit: 10_000 });
    const affected = reservations.filter((r) => r.status === 'Succeeded' && r.scope.type === 'single' && r.scope.subscriptionId === subscriptionId);
    if (affected.length === 0) return;
    const { state: customer } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    if (customer.status !== 'registered') return;
    for (const reservation of affected) {
      const { reservationId } = reservation;
      await this.orders.handle(
        reservation.orderId,
        {
          type: 'ChangeReservation',
          data: {
            reservationId,
            change: { type: 'FallBackToShared', data: { subscriptionId, reason: 'the subscription was suspended', customer, now: suspendedAt } },
          },
        },
        {
          correlationId: correlationIdOf(event),
          commandId: `${event.id}/${reservation.reservationId}`,
          partnerId: reservation.partnerId,
          actor: 'system/scope-fallback',
          now: suspendedAt,
        },
      );
      this.logger.log(`reservation ${reservation.reservationId} fell back to shared: subscription ${subscriptionId} suspended`);
    }
  }
}
