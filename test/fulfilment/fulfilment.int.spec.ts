/**
 * Fulfilment with real processes: the embedded store, the worker (killed and
 * restarted), BullMQ on the local Redis. Orders are placed by appending the
 * events the API would have written.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Catalog, catalogItemId, fold, orderDecider, OrderEvent, PlacedOrder, Scope } from '@app/domain';
import { reservationIdFor } from '@app/fulfilment';
import { FULFILMENT_DEAD_LETTER_QUEUE, FULFILMENT_QUEUE, queuePrefix } from '@app/queues';
import { deleteDeploymentKeys } from '../../libs/queues/testing/deployment-keys';
import { startApi } from '../support/api-harness';
import { eventually as waitFor } from '../support/eventually';
import { RunningProcess, startStoreProcess, startTsProcess } from '../support/processes';

jest.setTimeout(120_000);
const catalog = Catalog.shipped();

describe('fulfilment', () => {
  let dataDir: string;
  let store: Awaited<ReturnType<typeof startStoreProcess>>;
  let client: EventStoreDBClient;
  let redis: Redis;
  let prefix: string;
  let worker: RunningProcess;

  const startWorker = () =>
    startTsProcess('apps/worker/src/main.ts', {
      EVENTSTORE_URL: store.connectionString,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      RUN_PROJECTIONS: 'false',
      PROVISIONING_LATENCY_MS: '100',
      PROVISIONING_FAILING_SKUS: 'Standard_L32s_v3=permanent,Standard_L16s_v3=transient',
      FULFILMENT_BACKOFF_MS: '20',
      QUEUE_LOCK_MS: '1000',
    });
  const queue = (name: string) =>
    new Queue(name, { connection: { host: '127.0.0.1', port: 6379 }, prefix: queuePrefix(prefix) });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fulfilment-'));
    prefix = `test:${randomUUID()}:`;
    store = await startStoreProcess(dataDir);
    client = EventStoreDBClient.connectionString(store.connectionString);
    redis = new Redis('redis://127.0.0.1:6379');
    worker = startWorker();
  });

  afterAll(async () => {
    await worker.kill('SIGTERM');
    await deleteDeploymentKeys(redis, prefix);
    await redis.quit();
    await client.dispose();
    await store.proc.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A customer and a pending order, as checkout leaves them. */
  async function placeOrder(
    skus: string[],
    options: { scope?: 'single' | 'shared'; suspended?: boolean; partnerId?: string } = {},
  ) {
    const partnerId = options.partnerId ?? 'p-1';
    const customerId = randomUUID();
    const subscriptionId = randomUUID();
    const orderId = randomUUID();
    const at = new Date().toISOString();
    // The metadata every event carries, as the api would have written it (the event catalog checks it).
    const metadata = {
      correlationId: `corr-${orderId}`,
      causationId: randomUUID(),
      partnerId,
      actor: `${partnerId}/test`,
      timestamp: at,
    };
    const customerEvents: Array<ReturnType<typeof jsonEvent>> = [
      jsonEvent({
        type: 'CustomerRegistered',
        data: { customerId, partnerId, name: 'Fulfil Co', registeredAt: at },
        metadata,
      }),
      jsonEvent({
        type: 'SubscriptionAdded',
        data: { customerId, subscriptionId, name: 'Main', addedAt: at },
        metadata,
      }),
    ];
    if (options.suspended)
      customerEvents.push(
        jsonEvent({ type: 'SubscriptionSuspended', data: { customerId, subscriptionId, suspendedAt: at }, metadata }),
      );
    await client.appendToStream(`customer-${customerId}`, customerEvents);
    const lines = skus.map((sku, i) => {
      const item = catalog.get(catalogItemId(sku, 'eastus', 'P1Y'), new Date().toISOString())!;
      return {
        lineId: randomUUID(),
        catalogItemId: item.id,
        armSkuName: sku,
        region: 'eastus',
        term: 'P1Y',
        billingPlan: 'Upfront',
        quantity: 2,
        subscriptionId,
        unitPriceUsd: item.unitPriceUsd,
        lineNumber: i + 1,
        totalUsd: 2 * item.unitPriceUsd,
      };
    });
    const scope: Scope = options.scope === 'single' ? { type: 'single', subscriptionId } : { type: 'shared' };
    await client.appendToStream(
      `order-${orderId}`,
      jsonEvent({
        type: 'OrderPlaced',
        data: {
          orderId,
          orderNumber: `RO-2026-${orderId.slice(0, 6)}`,
          cartId: randomUUID(),
          customerId,
          partnerId,
          lines,
          scope,
          billingPlan: 'Upfront',
          currency: 'USD',
          totalUsd: 1,
          placedAt: at,
        },
        metadata,
      }),
      { expectedRevision: 'no_stream' },
    );
    return { orderId, customerId, subscriptionId };
  }

  async function events(stream: string) {
    const found: Array<{ type: string; data: any; metadata: any }> = [];
    try {
      for await (const { event } of client.readStream(stream))
        found.push({ type: event!.type, data: event!.data, metadata: event!.metadata });
    } catch {
      // not written yet
    }
    return found;
  }

  const orderState = async (orderId: string) =>
    fold(orderDecider, (await events(`order-${orderId}`)) as unknown as OrderEvent[]) as PlacedOrder;
  const provisionedIn = async (orderId: string) =>
    (await events(`order-${orderId}`)).filter((e) => e.type === 'ReservationProvisioned');

  const eventually = <T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000) =>
    waitFor(probe, timeoutMs, () => `worker said:\n${worker.output()}`);

  it('leaves exactly one reservation per line after a worker is killed mid-fulfilment and restarted', async () => {
    const orders = await Promise.all(
      Array.from({ length: 40 }, () => placeOrder(['Standard_D2s_v5', 'Standard_D4s_v5', 'Standard_E8s_v5'])),
    );
    // Kill the worker while it is part-way through: some order started, and some not finished.
    await eventually(async () => ((await events(`order-${orders[0].orderId}`)).length > 1 ? true : undefined));
    const statuses = await Promise.all(orders.map(({ orderId }) => orderState(orderId)));
    expect(statuses.some((o) => o.status === 'pending')).toBe(true);
    expect(await worker.kill('SIGKILL')).toBe('SIGKILL');
    worker = startWorker();

    for (const { orderId } of orders)
      await eventually(async () => ((await orderState(orderId)).status === 'completed' ? true : undefined));
    for (const { orderId } of orders) {
      const history = await events(`order-${orderId}`);
      const [started, provisioned, paid] = [
        'OrderLineProvisioningStarted',
        'ReservationProvisioned',
        'ReservationPaymentRecorded',
      ];
      // Each upfront reservation's one payment is taken as it is recorded.
      expect(history.map((e) => e.type)).toEqual([
        'OrderPlaced',
        started,
        started,
        started,
        provisioned,
        paid,
        provisioned,
        paid,
        provisioned,
        paid,
        'OrderCompleted',
      ]);
      const expectedIds = [1, 2, 3].map((n) => reservationIdFor(orderId, n));
      expect(history.at(-1)!.data.reservationIds).toEqual(expectedIds);
      expect(history.at(-1)!.metadata).toMatchObject({
        correlationId: `corr-${orderId}`,
        actor: 'worker/fulfilment',
        partnerId: 'p-1',
      });
      expect(history.filter((e) => e.type === 'ReservationProvisioned').map((e) => e.data.reservationId)).toEqual(
        expectedIds,
      );
    }
    // And across the whole store, no reservation was recorded twice.
    const provisioned: string[] = [];
    for await (const { event } of client.readAll())
      if (event?.type === 'ReservationProvisioned')
        provisioned.push((event.data as { reservationId: string }).reservationId);
    expect(provisioned.length).toBe(120);
    expect(new Set(provisioned).size).toBe(120);
  });

  it('records a provisioned reservation with its SKU, scope, subscriptions and dates', async () => {
    const { orderId, subscriptionId } = await placeOrder(['Standard_D4s_v5'], { scope: 'single' });
    await eventually(async () => ((await orderState(orderId)).status === 'completed' ? true : undefined));
    const [provisioned] = await provisionedIn(orderId);
    expect(provisioned.data.reservationId).toBe(reservationIdFor(orderId, 1));
    expect(provisioned.data).toMatchObject({
      armSkuName: 'Standard_D4s_v5',
      region: 'eastus',
      quantity: 2,
      term: 'P1Y',
      flexibilityGroup: 'DSv5 Series',
      ratio: 2,
      scope: { type: 'single', subscriptionId },
      appliedSubscriptionIds: [subscriptionId],
    });
    // A year on: the same day of the month, or the month's last where it has none (29 February ends on 28 February).
    const effective = new Date(provisioned.data.effectiveDate);
    const expiry = new Date(effective);
    expiry.setUTCDate(1);
    expiry.setUTCFullYear(expiry.getUTCFullYear() + 1);
    const lastDay = new Date(Date.UTC(expiry.getUTCFullYear(), expiry.getUTCMonth() + 1, 0)).getUTCDate();
    expiry.setUTCDate(Math.min(effective.getUTCDate(), lastDay));
    expect(provisioned.data.expiryDate).toBe(expiry.toISOString());
  });

  it('fails the order with the reason on a permanent provisioning failure', async () => {
    const { orderId } = await placeOrder(['Standard_L32s_v3']);
    const failed = await eventually(async () => {
      const order = await orderState(orderId);
      return order.status === 'failed' ? order : undefined;
    });
    expect(failed.timeline.at(-1)!.reason).toBe(
      'line 1: 800017 quantity not available: 2 × Standard_L32s_v3 in eastus',
    );
    expect(failed.lines[0].provisioning).toMatchObject({
      status: 'failed',
      reason: '800017 quantity not available: 2 × Standard_L32s_v3 in eastus',
    });
    expect(await provisionedIn(orderId)).toEqual([]);
  });

  it('case 1: a later line failing for good ends the order partiallyFulfilled, with the kept line billed, listed and visible', async () => {
    const { orderId } = await placeOrder(['Standard_D2s_v5', 'Standard_L32s_v3']);
    const order = await eventually(async () => {
      const state = await orderState(orderId);
      return state.status === 'partiallyFulfilled' ? state : undefined;
    });
    expect(order.reservationIds).toEqual([reservationIdFor(orderId, 1)]);
    expect(order.lines.map((l) => l.provisioning.status)).toEqual(['provisioned', 'failed']);
    expect(Object.values(order.reservations).map((r) => [r.reservationId, r.status])).toEqual([
      [reservationIdFor(orderId, 1), 'Succeeded'],
    ]);
  });

  it('case 1: cancelling an order while a line is being provisioned answers 409 ORDER_IN_FULFILMENT; no reservation is left under a cancelled order', async () => {
    const api = await startApi({ EVENTSTORE_URL: store.connectionString, REDIS_KEY_PREFIX: `${prefix}api:` });
    try {
      // Line 2 keeps failing transiently, so the order stays in fulfilment with line 1 provisioned.
      const { orderId } = await placeOrder(['Standard_D2s_v5', 'Standard_L16s_v3'], { partnerId: 'partner-contoso' });
      await eventually(async () => {
        const lines = (await orderState(orderId)).lines.map((line) => line.provisioning.status);
        return lines[0] === 'provisioned' && lines[1] === 'provisioning' ? true : undefined;
      });
      const cancel = await api.call('POST', `/v1/orders/${orderId}/cancel`, {
        body: { reason: 'customer changed their mind' },
      });
      expect({ status: cancel.status, code: cancel.body.code }).toEqual({ status: 409, code: 'ORDER_IN_FULFILMENT' });
      const order = await orderState(orderId);
      expect(order.status).toBe('pending');
      expect(order.reservations[reservationIdFor(orderId, 1)].status).toBe('Succeeded');
      // The api's views were started just now, on a store that already has the order: wait until they show it.
      const shown = await eventually(async () => {
        const answer = await api.call('GET', `/v1/orders/${orderId}`);
        return answer.status === 200 ? answer : undefined;
      });
      expect(
        shown.body.lines.map((l: { provisioning: { status: string; reservationId?: string } }) => [
          l.provisioning.status,
          l.provisioning.reservationId,
        ]),
      ).toEqual([
        ['provisioned', reservationIdFor(orderId, 1)],
        ['provisioning', reservationIdFor(orderId, 2)],
      ]);
    } finally {
      await api.close();
    }
  });

  it('fails single-scope lines cleanly when the subscription was suspended after the purchase', async () => {
    const { orderId, subscriptionId } = await placeOrder(['Standard_D2s_v5'], { scope: 'single', suspended: true });
    const failed = await eventually(async () => {
      const order = await orderState(orderId);
      return order.status === 'failed' ? order : undefined;
    });
    expect(failed.timeline.at(-1)!.reason).toBe(
      `subscription ${subscriptionId} is no longer active; the order cannot be provisioned`,
    );
    expect(await provisionedIn(orderId)).toEqual([]);
  });

  it('parks an order whose transient failures exhaust the attempts, and an operator retry sends it back', async () => {
    const { orderId } = await placeOrder(['Standard_L16s_v3']);
    const deadLetters = queue(FULFILMENT_DEAD_LETTER_QUEUE);
    const fulfilment = queue(FULFILMENT_QUEUE);
    try {
      const parked = await eventually(async () =>
        (await deadLetters.getFailed()).find((job) => job.data.orderId === orderId),
      );
      expect(parked.failedReason).toMatch(
        /fulfilment attempts exhausted: provisioning backend busy for Standard_L16s_v3 in eastus/,
      );
      const original = await fulfilment.getJob(`order-${orderId}`);
      expect(original!.attemptsMade).toBe(5);
      expect((await orderState(orderId)).status).toBe('pending');

      await parked.retry(); // what the dashboard's "retry" does
      await eventually(async () =>
        (await fulfilment.getJobs(['waiting', 'active', 'delayed', 'failed', 'completed'])).find((job) =>
          job.id?.startsWith(`order-${orderId}-retry-`),
        ),
      );
    } finally {
      await deadLetters.close();
      await fulfilment.close();
    }
  });
});
