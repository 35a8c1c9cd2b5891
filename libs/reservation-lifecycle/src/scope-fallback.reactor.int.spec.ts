/**
 * The scope fallback finds the customer's reservations through the
 * reservations view: it must not react to a suspension before that view has
 * applied everything up to it. Real embedded store, official client, real
 * Redis; the view is rebuilt by the project's own rebuild.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { EsdbEventStore, EventStreams } from '@app/eventstore-client';
import { EmbeddedEventStore } from '@app/eventstore-server';
import { ReservationOrders, ViewReservationLocator } from '@app/ordering';
import { rebuildAndSwap, reservationsProjection, toProjectedEvent, ViewReader } from '@app/projections';
import { scanKeys } from '@app/redis';
import { seedReservationOrder } from '../../../test/support/reservation-orders';
import { ScopeFallbackReactor } from './scope-fallback.reactor';

jest.setTimeout(30_000);

describe('scope fallback', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scope-fallback-'));
  let embedded: EmbeddedEventStore;
  let client: EventStoreDBClient;
  let redis: Redis;

  beforeAll(async () => {
    embedded = await EmbeddedEventStore.start({ dataDir });
    client = EventStoreDBClient.connectionString(embedded.connectionString);
    redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomUUID()}:` });
  });
  afterAll(async () => {
    for (const key of await scanKeys(redis, '*')) await redis.unlink(key);
    await redis.quit();
    await client.dispose();
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The reactor on the real store and Redis, and the orders it changes. */
  function fallback() {
    const store = new EsdbEventStore(client);
    const streams = new EventStreams(store);
    const views = new ViewReader(redis);
    const orders = new ReservationOrders(streams, new ViewReservationLocator(views, store));
    return { store, views, orders, reactor: new ScopeFallbackReactor(streams, orders, views, store) };
  }

  /** A customer with two active subscriptions: `suspended` is the one a test suspends. */
  async function customerWithTwoSubscriptions(name: string) {
    const [customerId, suspended, other] = [randomUUID(), randomUUID(), randomUUID()];
    const at = new Date().toISOString();
    await client.appendToStream(`customer-${customerId}`, [
      jsonEvent({
        type: 'CustomerRegistered',
        data: { customerId, partnerId: 'partner-contoso', name, registeredAt: at },
      }),
      jsonEvent({
        type: 'SubscriptionAdded',
        data: { customerId, subscriptionId: suspended, name: 'Dev', addedAt: at },
      }),
      jsonEvent({ type: 'SubscriptionAdded', data: { customerId, subscriptionId: other, name: 'Prod', addedAt: at } }),
    ]);
    const singleScopeOrder = () =>
      seedReservationOrder(client, { customerId, partnerId: 'partner-contoso', subscriptionIds: [suspended, other] }, [
        { scope: { type: 'single', subscriptionId: suspended } },
      ]);
    const suspend = async () => {
      const { position } = await client.appendToStream(
        `customer-${customerId}`,
        jsonEvent({
          type: 'SubscriptionSuspended',
          data: { customerId, subscriptionId: suspended, suspendedAt: new Date().toISOString() },
        }),
      );
      return position!.commit;
    };
    return { singleScopeOrder, suspend };
  }

  /** The event of $all at `position`, as the reactor is handed it. */
  const eventAt = async (store: EsdbEventStore, position: bigint) =>
    toProjectedEvent((await store.readAll({ maxCount: 10_000 })).find((e) => e.position === position)!);

  const scopeOf = async (orders: ReservationOrders, orderId: string, reservationId: string) => {
    const { state: order } = await orders.load(orderId);
    return order.status === 'none' ? undefined : order.reservations[reservationId]?.scope;
  };

  it('waits for the reservations view to reach the suspension, and fails to be retried rather than pass over a reservation it has not seen', async () => {
    const { store, orders, reactor } = fallback();
    const customer = await customerWithTwoSubscriptions('Lagging Co');
    const { orderId, reservationIds } = await customer.singleScopeOrder();
    const suspension = await eventAt(store, await customer.suspend());

    // The view has applied nothing yet: the reaction must not count that as "no reservation on this subscription".
    await expect(reactor.react(suspension)).rejects.toThrow(/has not reached position/);

    await rebuildAndSwap(store, redis, [reservationsProjection]);
    await reactor.react(suspension);
    expect(await scopeOf(orders, orderId, reservationIds[0])).toEqual({ type: 'shared' });
  });

  it('falls back a reservation provisioned on a subscription suspended after fulfilment read the customer', async () => {
    const { store, orders, reactor } = fallback();
    const customer = await customerWithTwoSubscriptions('Late Co');
    await customer.suspend();
    // The reaction to the suspension has come and gone; then the reservation lands, single on the suspended subscription.
    const { orderId, reservationIds } = await customer.singleScopeOrder();
    const events = await store.readAll({ maxCount: 10_000 });
    const provisioned = toProjectedEvent(
      events.find((e) => e.type === 'ReservationProvisioned' && e.data.reservationId === reservationIds[0])!,
    );

    await reactor.react(provisioned);
    await reactor.react(provisioned); // redelivered: nothing more
    expect(await scopeOf(orders, orderId, reservationIds[0])).toEqual({ type: 'shared' });
    const fellBack = [];
    for await (const { event } of client.readStream(`order-${orderId}`))
      if (event?.type === 'ReservationScopeFellBack') fellBack.push(event);
    expect(fellBack).toHaveLength(1);
  });

  it('does not wait for a view checkpoint that a quiet store may not move: no reservation event lies between it and the suspension', async () => {
    const { store, views, orders, reactor } = fallback();
    const customer = await customerWithTwoSubscriptions('Quiet Co');
    const { orderId, reservationIds } = await customer.singleScopeOrder();
    await rebuildAndSwap(store, redis, [reservationsProjection]);
    // The view's checkpoint stays where its last event was: nothing it takes comes after.
    const position = await customer.suspend();
    expect((await views.checkpoint(reservationsProjection.name))! < position).toBe(true);
    const suspension = await eventAt(store, position);

    const started = Date.now();
    await reactor.react(suspension);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await scopeOf(orders, orderId, reservationIds[0])).toEqual({ type: 'shared' });
  });
});
