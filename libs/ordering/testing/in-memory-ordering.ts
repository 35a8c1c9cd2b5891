import { randomUUID } from 'node:crypto';
import { FixedClock } from '@app/clock';
import { Catalog, CustomerEvent, customerStream, Message } from '@app/domain';
import { CommandContext, EventStreams, InMemoryEventStore } from '@app/eventstore-client';
import { OrderNumbers } from '../src/order-numbers';
import { PartnerScopedReads } from '../src/partner-scoped-reads';
import { RefundSettlement } from '../src/refund-settlement';
import { RenewalOrders } from '../src/renewal-orders';
import { ReservationLocator, ReservationPlace } from '../src/reservation-locator';
import { ReservationOrders } from '../src/reservation-orders';

/** Finds a reservation's order by scanning the in-memory store, as the reservations view would show it. */
export class InMemoryReservationLocator extends ReservationLocator {
  constructor(private readonly store: InMemoryEventStore) {
    super();
  }

  async orderOf(reservationId: string): Promise<ReservationPlace | undefined> {
    const provisioned = this.store
      .events()
      .find((event) => event.type === 'ReservationProvisioned' && event.data.reservationId === reservationId);
    return provisioned
      ? { orderId: provisioned.data.orderId as string, partnerId: provisioned.data.partnerId as string }
      : undefined;
  }
}

/** The ordering services on an in-memory store: what a unit spec of a handler, fulfilment or a reactor stands on. */
export function inMemoryOrdering() {
  const store = new InMemoryEventStore();
  const streams = new EventStreams(store);
  const orders = new ReservationOrders(streams, new InMemoryReservationLocator(store));
  return {
    store,
    streams,
    orders,
    reads: new PartnerScopedReads(streams),
    orderNumbers: new OrderNumbers(store),
    settlement: new RefundSettlement(orders, streams),
    renewals: new RenewalOrders(orders),
    catalog: Catalog.shipped(),
    /** Stands at the specs' usual instant until a spec moves it. */
    clock: new FixedClock('2026-11-25T10:00:00.000Z'),
  };
}

export const context = (overrides: Partial<CommandContext> = {}): CommandContext => ({
  correlationId: 'corr-1',
  commandId: `cmd-${Math.random().toString(36).slice(2)}`,
  partnerId: 'partner-contoso',
  actor: 'partner-contoso/spec',
  now: '2026-11-25T10:00:00.000Z',
  ...overrides,
});

/** Events already in a stream: the "given" of a spec. */
export async function given(store: InMemoryEventStore, stream: string, events: Message[]): Promise<void> {
  await store.appendToStream(
    stream,
    events.map((event) => ({ id: randomUUID(), type: event.type, data: { ...event.data }, metadata: {} })),
    'any',
  );
}

/** A registered customer of partner-contoso with one active subscription. */
export async function givenCustomer(
  store: InMemoryEventStore,
  customerId = 'c-1',
  subscriptionId = 's-1',
): Promise<void> {
  const at = '2026-11-01T00:00:00.000Z';
  const events: CustomerEvent[] = [
    {
      type: 'CustomerRegistered',
      data: { customerId, partnerId: 'partner-contoso', name: 'Contoso', registeredAt: at },
    },
    { type: 'SubscriptionAdded', data: { customerId, subscriptionId, name: 'Main', addedAt: at } },
  ] as CustomerEvent[];
  await given(store, customerStream(customerId), events);
}
