import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { orderStream, ReservationProvisionedData } from '@app/domain';

export interface SeededOrder {
  orderId: string;
  reservationIds: string[];
  /** $all position of the seeded events: X-Min-Position for a read that must see them. */
  position: bigint;
}

/**
 * A reservation order as fulfilment leaves it: placed, each line started and
 * provisioned, completed; one reservation per entry of `reservations`, each
 * bought at `at` for a year unless overridden. Written straight to the store, so
 * a test of what happens after purchase needs no worker.
 */
export async function seedReservationOrder(
  store: EventStoreDBClient,
  owner: { customerId: string; partnerId: string; subscriptionIds: string[] },
  reservations: Array<Partial<ReservationProvisionedData>>,
  /** When it was bought: the api's clock now (the wall clock, unless the suite set the sandbox clock). */
  at: string = new Date().toISOString(),
): Promise<SeededOrder> {
  const orderId = randomUUID();
  const orderNumber = `RO-2026-${String(Math.floor(Math.random() * 900_000) + 100_000)}`;
  const effective = new Date(at);
  const expiry = new Date(effective);
  expiry.setUTCFullYear(expiry.getUTCFullYear() + 1);
  const provisioned: ReservationProvisionedData[] = reservations.map((overrides, i) => ({
    reservationId: randomUUID(),
    orderId,
    orderNumber,
    lineNumber: i + 1,
    customerId: owner.customerId,
    partnerId: owner.partnerId,
    catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
    armSkuName: 'Standard_D4s_v5',
    region: 'westeurope',
    flexibilityGroup: 'DSv5 Series',
    ratio: 2,
    quantity: 3,
    term: 'P1Y',
    billingPlan: 'Upfront',
    scope: { type: 'shared' },
    appliedSubscriptionIds: owner.subscriptionIds,
    effectiveDate: effective.toISOString(),
    expiryDate: expiry.toISOString(),
    unitPriceUsd: 1_000,
    ...overrides,
  }));
  const lines = provisioned.map((r) => ({
    lineId: randomUUID(),
    catalogItemId: r.catalogItemId,
    armSkuName: r.armSkuName,
    region: r.region,
    term: r.term,
    billingPlan: r.billingPlan,
    quantity: r.quantity,
    subscriptionId: owner.subscriptionIds[0],
    unitPriceUsd: r.unitPriceUsd ?? 1_000,
    lineNumber: r.lineNumber,
    totalUsd: (r.unitPriceUsd ?? 1_000) * r.quantity,
  }));
  const now = effective.toISOString();
  // The metadata every event carries (libs/eventstore-client/src/event-metadata.ts), so seeded events pass the event catalog as written ones do.
  const metadata = {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    partnerId: owner.partnerId,
    actor: `${owner.partnerId}/test-seed`,
    timestamp: now,
  };
  const events = [
    jsonEvent({
      metadata,
      type: 'OrderPlaced',
      data: {
        orderId,
        orderNumber,
        cartId: randomUUID(),
        customerId: owner.customerId,
        partnerId: owner.partnerId,
        lines,
        scope: provisioned[0]?.scope ?? { type: 'shared' },
        billingPlan: 'Upfront',
        currency: 'USD',
        totalUsd: lines.reduce((t, l) => t + l.totalUsd, 0),
        placedAt: now,
      },
    }),
    ...provisioned.flatMap((r) => [
      jsonEvent({
        type: 'OrderLineProvisioningStarted',
        data: { orderId, lineNumber: r.lineNumber, reservationId: r.reservationId, startedAt: now },
        metadata,
      }),
      jsonEvent({ type: 'ReservationProvisioned', data: { ...r }, metadata }),
    ]),
    jsonEvent({
      type: 'OrderCompleted',
      data: { orderId, reservationIds: provisioned.map((r) => r.reservationId), completedAt: now },
      metadata,
    }),
  ];
  const { position } = await store.appendToStream(orderStream(orderId), events, { expectedRevision: 'no_stream' });
  return { orderId, reservationIds: provisioned.map((r) => r.reservationId), position: position!.commit };
}
