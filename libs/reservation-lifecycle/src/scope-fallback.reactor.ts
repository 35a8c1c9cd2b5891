import { Injectable, Logger } from '@nestjs/common';
import {
  CustomerSnapshot,
  customerDecider,
  customerStream,
  isActiveSubscription,
  managementGroupMembers,
  Scope,
  scopeSubscription,
} from '@app/domain';
import { EventStore, EventStreams } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';
import {
  appliedWithin,
  correlationIdOf,
  KnownReservation,
  ProjectedEvent,
  Reactor,
  reservationKeys,
  reservationsIn,
  reservationsProjection,
  ViewReader,
} from '@app/projections';

/** How long a reaction waits for the reservations view to reach its event before it fails, to be retried. */
const VIEW_WAIT_MS = 5_000;

type Cause = { customerId: string; at: string; reason: string } & (
  { subscriptionId: string } | { managementGroupId: string }
);

/**
 * A reservation whose scope can no longer apply falls back to shared and
 * records why, as Azure does:
 * - a suspended subscription takes the single and resource-group scopes on it;
 * - a management group left with no subscription takes the scopes on it.
 * The customer's reservations are found through the reservations view, once
 * it has applied everything up to the event; each
 * command is decided on the reservation's order stream and is idempotent, with
 * an id derived from the causing event, so a replay changes nothing.
 */
@Injectable()
export class ScopeFallbackReactor implements Reactor {
  readonly name = 'scope-fallback';
  readonly eventTypes = [
    'SubscriptionSuspended',
    'SubscriptionMovedToManagementGroup',
    'SubscriptionRemovedFromManagementGroup',
    // A reservation can take a scope that no longer applies: decided on the customer as it was just before the change.
    'ReservationProvisioned',
    'ReservationScopeChanged',
  ];
  private readonly logger = new Logger('ScopeFallback');

  constructor(
    private readonly streams: EventStreams,
    private readonly orders: ReservationOrders,
    private readonly views: ViewReader,
    private readonly store: EventStore,
  ) {}

  async react(event: ProjectedEvent): Promise<void> {
    const { customerId, scope } = event.data as { customerId: string; scope?: Scope };
    // A shared scope applies whatever becomes of one subscription or group.
    if (scope?.type === 'shared') return;
    const { state: customer } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    if (customer.status !== 'registered') return;
    if (event.type === 'ReservationProvisioned' || event.type === 'ReservationScopeChanged')
      return this.checkScopeTaken(event, customer);
    const cause = causeOf(event, customer);
    if (!cause) return;
    // The view must hold every reservation made, and every scope set, before the event: one it has not applied yet would
    // be passed over for good once the checkpoint moves past the event.
    if (!(await appliedWithin(this.store, this.views, reservationsProjection, event.position, VIEW_WAIT_MS))) {
      throw new Error(
        `the reservations view has not reached position ${event.position} of ${event.type} ${event.id}; retrying`,
      );
    }
    const reservations = await reservationsIn(this.views, reservationKeys.ofCustomer(cause.customerId), {
      limit: 10_000,
    });
    for (const reservation of reservations.filter((r) => r.status === 'Succeeded' && affectedBy(r.scope, cause))) {
      await this.fallBack(reservation, cause, customer, event);
    }
  }

  /**
   * A reservation made or rescoped on a customer read before a suspension (or
   * before its group emptied) lands after the reaction to it: whichever comes
   * second, its reaction sees both.
   */
  private async checkScopeTaken(event: ProjectedEvent, customer: CustomerSnapshot): Promise<void> {
    const { reservationId, scope } = event.data as { reservationId: string; scope: Scope };
    const cause = causeOfScope(scope, customer, event.created.toISOString());
    if (!cause) return;
    const orderId =
      event.type === 'ReservationProvisioned'
        ? (event.data as { orderId: string }).orderId
        : await this.orders.locate(reservationId, customer.partnerId);
    await this.fallBack({ reservationId, orderId, partnerId: customer.partnerId }, cause, customer, event);
  }

  private async fallBack(
    reservation: Pick<KnownReservation, 'reservationId' | 'orderId' | 'partnerId'>,
    cause: Cause,
    customer: CustomerSnapshot,
    event: ProjectedEvent,
  ) {
    const { reservationId, orderId, partnerId } = reservation;
    const { at, reason } = cause;
    const from =
      'subscriptionId' in cause
        ? { subscriptionId: cause.subscriptionId }
        : { managementGroupId: cause.managementGroupId };
    await this.orders.handle(
      orderId,
      {
        type: 'ChangeReservation',
        data: { reservationId, change: { type: 'FallBackToShared', data: { ...from, reason, customer, now: at } } },
      },
      {
        correlationId: correlationIdOf(event),
        commandId: `${event.id}/${reservationId}`,
        partnerId,
        actor: 'system/scope-fallback',
        now: at,
      },
    );
    this.logger.log(`reservation ${reservationId} fell back to shared: ${reason}`);
  }
}

/** What, if anything, the event takes away from a scope. */
function causeOf(event: ProjectedEvent, customer: CustomerSnapshot): Cause | undefined {
  if (event.type === 'SubscriptionSuspended') {
    const { subscriptionId, suspendedAt } = event.data as { subscriptionId: string; suspendedAt: string };
    return suspended(customer, subscriptionId, suspendedAt);
  }
  // The group the subscription left; it falls back only when no subscription is left in it now.
  const data = event.data as {
    managementGroupId: string;
    fromManagementGroupId?: string;
    movedAt?: string;
    removedAt?: string;
  };
  const left =
    event.type === 'SubscriptionRemovedFromManagementGroup' ? data.managementGroupId : data.fromManagementGroupId;
  return left ? emptied(customer, left, (data.removedAt ?? data.movedAt)!) : undefined;
}

/** What, if anything, the customer as it is now takes away from a scope just taken. */
function causeOfScope(scope: Scope, customer: CustomerSnapshot, at: string): Cause | undefined {
  const subscriptionId = scopeSubscription(scope);
  if (subscriptionId !== undefined)
    return isActiveSubscription(customer, subscriptionId) ? undefined : suspended(customer, subscriptionId, at);
  return scope.type === 'managementGroup' ? emptied(customer, scope.managementGroupId, at) : undefined;
}

const suspended = ({ customerId }: CustomerSnapshot, subscriptionId: string, at: string): Cause => ({
  customerId,
  subscriptionId,
  at,
  reason: 'the subscription was suspended',
});

/** A management group's scopes end only when no subscription is left in it. */
const emptied = (customer: CustomerSnapshot, managementGroupId: string, at: string): Cause | undefined =>
  managementGroupMembers(customer, managementGroupId).length > 0
    ? undefined
    : {
        customerId: customer.customerId,
        managementGroupId,
        at,
        reason: `management group ${managementGroupId} has no subscriptions left`,
      };

const affectedBy = (scope: Scope, cause: Cause) =>
  'subscriptionId' in cause
    ? scopeSubscription(scope) === cause.subscriptionId
    : scope.type === 'managementGroup' && scope.managementGroupId === cause.managementGroupId;
