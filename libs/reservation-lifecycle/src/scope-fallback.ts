import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { customerDecider, customerStream, reservationDecider, reservationStream } from '@app/domain';
import { EventStreams } from '@app/eventstore';
import { FoldedDocument, ProjectedEvent, Projection, Reactor, ReservationView, reservationsProjection, startReactor, ViewReader } from '@app/projections';

/** Reads SubscriptionSuspended from $all like a projection; its effect is commands on reservation streams. */
export const scopeFallback: Projection = {
  name: 'scope-fallback',
  eventTypes: ['SubscriptionSuspended'],
  reads: () => [],
  apply: () => [],
};

/**
 * When a subscription is suspended, every reservation scoped to it alone
 * falls back to shared and records why. The customer's reservations are
 * found through the reservations view; each command is idempotent, with an
 * id derived from the suspension event, so a replay changes nothing.
 */
@Injectable()
export class ScopeFallbackReactor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ScopeFallback');
  private reactor: Reactor | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    @Inject(Redis) private readonly redis: Redis,
    private readonly streams: EventStreams,
    private readonly views: ViewReader,
  ) {}

  onApplicationBootstrap(): void {
    this.reactor = startReactor(this.client, this.redis, scopeFallback, this.logger, (event) => this.react(event));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reactor?.stop();
  }

  private async react(event: ProjectedEvent): Promise<void> {
    const { customerId, subscriptionId, suspendedAt } = event.data as { customerId: string; subscriptionId: string; suspendedAt: string };
    const entries = await this.views.page(reservationsProjection.name, `customer:${customerId}`, { limit: 10_000 });
    const documents = await this.views.documents<FoldedDocument<ReservationView>>(reservationsProjection.name, entries.map((e) => `reservation:${e.member}`));
    const affected = documents.flatMap((d) => (d?.state.status === 'Succeeded' && d.state.scope.type === 'single' && d.state.scope.subscriptionId === subscriptionId ? [d.state] : []));
    if (affected.length === 0) return;
    const { state: customer } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    if (customer.status !== 'registered') return;
    for (const reservation of affected) {
      await this.streams.handle(
        reservationStream(reservation.reservationId),
        reservationDecider,
        { type: 'FallBackToShared', data: { subscriptionId, reason: 'the subscription was suspended', customer, now: suspendedAt } },
        { correlationId: String(event.metadata.correlationId ?? event.id), commandId: `${event.id}/${reservation.reservationId}`, partnerId: reservation.partnerId, actor: 'system/scope-fallback', now: suspendedAt },
      );
      this.logger.log(`reservation ${reservation.reservationId} fell back to shared: subscription ${subscriptionId} suspended`);
    }
  }
}
