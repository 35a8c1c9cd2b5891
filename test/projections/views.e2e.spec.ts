/**
 * The views: history paging and filters, auditors' asOf, idempotence under
 * redelivery, and replay --verify against a tampered view.
 */
import { EsdbEventStore } from '@app/eventstore-client';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { EventStoreConnection } from '@app/eventstore-client';
import {
  applyBatch,
  cartsProjection,
  INITIAL_GENERATION,
  orderHistoryProjection,
  SubscriptionHost,
  toProjectedEvent,
  verify,
  viewKeys,
} from '@app/projections';
import { scanKeys } from '@app/redis';
import { ApiHarness, startApi } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { ROOT } from '../support/processes';

describe('views', () => {
  let api: ApiHarness;
  let redis: Redis;
  let client: EventStoreDBClient;
  let prefix: string;

  beforeAll(async () => {
    api = await startApi();
    redis = api.app.get(Redis);
    client = api.app.get(EventStoreDBClient);
    prefix = redis.options.keyPrefix!;
  });
  afterAll(() => api.close());

  describe('order history', () => {
    let customerId: string;
    const placed: Array<{
      orderId: string;
      orderNumber: string;
      term: string;
      region: string;
      status: string;
      placedAt: string;
    }> = [];

    beforeAll(async () => {
      const customer = await api.call('POST', '/v1/customers', { body: { name: 'History Co' } });
      customerId = customer.body.customerId;
      const subscriptionId = randomUUID();
      await api.call('POST', `/v1/customers/${customerId}/subscriptions`, { body: { subscriptionId, name: 'Main' } });
      const kinds = [
        ['P1Y', 'eastus'],
        ['P3Y', 'westeurope'],
        ['P1Y', 'japaneast'],
      ] as const;
      for (let i = 0; i < 12; i++) {
        const [term, region] = kinds[i % 3];
        const cart = await api.call('POST', `/v1/customers/${customerId}/carts`);
        await api.call('POST', `/v1/carts/${cart.body.cartId}/items`, {
          body: {
            catalogItemId: `ri-standard_d2s_v5-${region}-${term.toLowerCase()}`,
            quantity: 1,
            subscriptionId,
            term,
            billingPlan: 'Upfront',
          },
        });
        const order = await api.call('POST', `/v1/carts/${cart.body.cartId}/purchase`);
        let status = 'pending';
        if (i % 4 === 0) {
          await api.call('POST', `/v1/orders/${order.body.orderId}/cancel`, { body: { reason: 'test' } });
          status = 'cancelled';
        }
        placed.push({
          orderId: order.body.orderId,
          orderNumber: order.body.orderNumber,
          term,
          region,
          status,
          placedAt: order.body.placedAt,
        });
      }
    });

    const newestFirst = () => [...placed].reverse();

    it('pages newest first with a cursor, without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await api.call(
          'GET',
          `/v1/customers/${customerId}/orders?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((o: { orderNumber: string }) => o.orderNumber));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(newestFirst().map((o) => o.orderNumber));
      expect(pages).toBe(3);
    });

    it('filters by status, term and region', async () => {
      const numbers = async (query: string) =>
        (await api.call('GET', `/v1/customers/${customerId}/orders?limit=100&${query}`)).body.items.map(
          (o: { orderNumber: string }) => o.orderNumber,
        );
      expect(await numbers('status=cancelled')).toEqual(
        newestFirst()
          .filter((o) => o.status === 'cancelled')
          .map((o) => o.orderNumber),
      );
      expect(await numbers('term=P3Y')).toEqual(
        newestFirst()
          .filter((o) => o.term === 'P3Y')
          .map((o) => o.orderNumber),
      );
      expect(await numbers('region=japaneast&status=pending')).toEqual(
        newestFirst()
          .filter((o) => o.region === 'japaneast' && o.status === 'pending')
          .map((o) => o.orderNumber),
      );
    });

    it('filters by date range', async () => {
      const from = placed[3].placedAt;
      const to = placed[8].placedAt; // exclusive
      const page = await api.call('GET', `/v1/customers/${customerId}/orders?limit=100&from=${from}&to=${to}`);
      const expected = newestFirst().filter((o) => o.placedAt >= from && o.placedAt < to);
      expect(page.body.items.map((o: { orderNumber: string }) => o.orderNumber)).toEqual(
        expected.map((o) => o.orderNumber),
      );
      expect(expected.length).toBeGreaterThan(0);
    });

    it("lists the partner's orders across customers, and refuses a forged cursor", async () => {
      const page = await api.call('GET', '/v1/orders?limit=100');
      expect(page.body.items.map((o: { orderId: string }) => o.orderId)).toEqual(
        expect.arrayContaining(placed.map((o) => o.orderId)),
      );
      const forged = await api.call('GET', '/v1/orders?cursor=bm90LWEtY3Vyc29y');
      expect(forged.status).toBe(400);
      expect(forged.body.code).toBe('INVALID_CURSOR');
    });

    it('shows an order as it was at an earlier revision', async () => {
      const cancelled = placed[0];
      const now = await api.call('GET', `/v1/orders/${cancelled.orderId}`);
      expect(now.body.status).toBe('cancelled');
      const then = await api.call('GET', `/v1/orders/${cancelled.orderId}?asOf=0`);
      expect(then.body).toMatchObject({ status: 'pending', revision: '0' });
      const before = await api.call('GET', `/v1/orders/${cancelled.orderId}?asOf=2000-01-01T00:00:00Z`);
      expect(before.status).toBe(404);
    });
  });

  it('answers 503 with Retry-After while a view lags behind the asked position, then the write once it caught up', async () => {
    // The customers view alone stops; the other handlers of the api's runner go on.
    const runner = api.app.get(SubscriptionHost).runner!;
    await runner.stopHandler('customers');
    const customer = await api.call('POST', '/v1/customers', { body: { name: 'Consistency Co' } });
    const position = customer.headers.get('x-position')!;
    const started = Date.now();
    const late = await api.call('GET', `/v1/customers/${customer.body.customerId}`, {
      headers: { 'x-min-position': position },
      consistent: false,
    });
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');
    expect(late.body).toMatchObject({
      code: 'VIEW_NOT_CAUGHT_UP',
      message: `the customers view has not reached position ${position} yet; retry shortly`,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);

    runner.startHandler('customers');
    const caughtUp = await api.call('GET', `/v1/customers/${customer.body.customerId}`, {
      headers: { 'x-min-position': position },
      consistent: false,
    });
    expect(caughtUp.status).toBe(200);
    expect(caughtUp.body.name).toBe('Consistency Co');
    const malformed = await api.call('GET', `/v1/customers/${customer.body.customerId}?minPosition=soon`, {
      consistent: false,
    });
    expect(malformed.status).toBe(400);
  });

  it('shows operators every projection with its lag, behind basic auth', async () => {
    const anonymous = await api.call('GET', '/ops/projections', { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="ops"');
    const withPartnerKey = await api.call('GET', '/ops/projections');
    expect(withPartnerKey.status).toBe(401);
    // Runners publish their status every second: wait until each has published live and caught up, then read the page.
    const asOperator = { key: null, headers: { authorization: `Basic ${Buffer.from('ops:ops').toString('base64')}` } };
    const caughtUp = (body: Array<{ state: string; eventsBehind: number }>) =>
      body.every((p) => p.state === 'live' && p.eventsBehind === 0);
    await eventually(
      async () => caughtUp((await api.call('GET', '/ops/projections', asOperator)).body) || undefined,
      10_000,
    );
    const ops = await api.call('GET', '/ops/projections', asOperator);
    expect(ops.status).toBe(200);
    expect(ops.body.map((p: { name: string }) => p.name)).toEqual([
      'carts',
      'order-history',
      'customers',
      'reservations',
      'costs',
      'statements',
    ]);
    for (const projection of ops.body) {
      expect(projection).toMatchObject({ state: 'live', eventsBehind: 0, secondsBehind: 0 });
      expect(projection.replicas).toHaveLength(1);
    }
  });

  it('leaves the views unchanged when the same events are delivered again', async () => {
    const customer = await api.call('POST', '/v1/customers', { body: { name: 'Redelivery Co' } });
    await api.call('POST', `/v1/customers/${customer.body.customerId}/carts`);
    await api.call('GET', `/v1/customers/${customer.body.customerId}/orders`); // waits for the views to catch up
    const before = await snapshot(cartsProjection.name);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    const store = new EsdbEventStore(client);
    const events = (await store.readAll({ maxCount: 1_000_000 }))
      .filter((event) => cartsProjection.eventTypes.includes(event.type))
      .map(toProjectedEvent);
    const live = (await redis.get(viewKeys(cartsProjection.name).live)) ?? INITIAL_GENERATION;
    // Redelivery from position zero, as after a lost checkpoint: every document already saw these events.
    const writer = redis.duplicate();
    await applyBatch(writer, { projection: cartsProjection, generation: live, checkpoint: undefined }, events);
    await writer.quit();
    expect(await snapshot(cartsProjection.name)).toEqual(before);
    expect((await verify(store, redis, [cartsProjection])).differences).toEqual([]);
  });

  it('replay --verify finds a tampered view and exits 1; replay rebuilds it; verify then passes', async () => {
    const live = (await redis.get(viewKeys(orderHistoryProjection.name).live)) ?? INITIAL_GENERATION;
    const [someOrder] = await scanKeys(redis, `${viewKeys(orderHistoryProjection.name).generation(live)}order:*`);
    const original = await redis.get(someOrder);
    await redis.set(someOrder, original!.replace('"totalUsd":', '"totalUsd":1000000+'));
    const env = {
      ...process.env,
      EVENTSTORE_URL: api.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    };
    // Asynchronously: the store the CLI talks to runs inside this test process.
    const replay = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          ['-r', '@swc-node/register', join(ROOT, 'tools/replay.ts'), ...args],
          { cwd: ROOT, env, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
        ),
      );

    const tampered = await replay('--projection', orderHistoryProjection.name, '--verify');
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toContain(
      `DIFFERENCE order-history ${someOrder.slice(viewKeys(orderHistoryProjection.name).generation(live).length)}`,
    );
    expect(tampered.stdout).toMatch(/1 difference\(s\)/);

    const rebuilt = await replay('--all');
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stdout).toMatch(
      /rebuilt carts, order-history, customers, reservations, costs, statements from [\d,]+ events/,
    );
    expect(rebuilt.stderr).toMatch(/\[#+\s*\]\s+100%/);

    const clean = await replay('--all', '--verify');
    expect(clean.stdout).toMatch(/0 difference\(s\)/);
    expect(clean.status).toBe(0);
    // The API reads the swapped-in generation.
    const history = await api.call('GET', '/v1/orders?limit=1');
    expect(history.status).toBe(200);
  });

  /** Every key of a projection's live generation with its value. */
  async function snapshot(name: string): Promise<Record<string, string | null>> {
    const live = (await redis.get(viewKeys(name).live)) ?? INITIAL_GENERATION;
    const keys = await scanKeys(redis, `${viewKeys(name).generation(live)}*`);
    const values: Record<string, string | null> = {};
    for (const key of keys.sort())
      values[key] =
        (await redis.type(key)) === 'zset'
          ? JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'))
          : await redis.get(key);
    return values;
  }
});
