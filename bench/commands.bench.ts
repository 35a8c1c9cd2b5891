/**
 * npm run bench:commands — purchases through the HTTP API: N concurrent
 * clients each create a cart, add 3 items, set a single scope and buy. The
 * api and the embedded store run as their own processes, as in production.
 * In the same run, the same store and Redis are driven with no API in
 * between (measureLimits), so the API's cost shows as ratios. A second phase
 * adds a worker running the projections, as in production, and measures the
 * projection lag: from a purchase's answer to the order-history view having
 * applied its position. Between the two, the store is filled to
 * BENCH_PREFILL_EVENTS (1,000,000) events and the purchases are run again:
 * the figure must stay within 15% of the one on the empty store (#14).
 * Timing starts after BENCH_WARMUP_PURCHASES (500) untimed purchases.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { INITIAL_GENERATION, ORDER_HISTORY, viewKeys } from '@app/projections';
import { Queue } from 'bullmq';
import { Dispatcher, Pool } from 'undici';
import { FULFILMENT_QUEUE, queuePrefix } from '@app/queues';
import { deleteDeploymentKeys } from '../libs/queues/testing/deployment-keys';
import {
  apiAnswers,
  limitRows,
  machine,
  measureLimits,
  peakRssMb,
  percentile,
  pool,
  rate,
  ratio,
  startApp,
  startStoreProcess,
  timed,
} from './support';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const PURCHASES = Number(process.env.BENCH_PURCHASES ?? 1_000);
const LAG_PURCHASES = Number(process.env.BENCH_LAG_PURCHASES ?? 500);
/** Untimed purchases first, so the figures are the api's steady state, not its JIT warming up. */
const WARMUP_PURCHASES = Number(process.env.BENCH_WARMUP_PURCHASES ?? 500);
const PREFILL_EVENTS = Number(process.env.BENCH_PREFILL_EVENTS ?? 1_000_000);
const PREFIX = `bench-commands-${randomUUID().slice(0, 8)}:`;
const KEY = 'demo-key-contoso';
const PORT = 3900 + Math.floor(Math.random() * 90);

/** The $all position of the last write each answer reported (X-Position). */
const positions = new Map<unknown, bigint>();

/** One keep-alive connection per client: the load client's own cost stays small beside the api's (fetch cost about twice as much). */
const http = new Pool(`http://127.0.0.1:${PORT}`, { connections: CLIENTS });

async function call(method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<any> {
  const response = await http.request({
    method,
    path,
    headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.body.json();
  if (response.statusCode >= 300)
    throw new Error(`${method} ${path} answered ${response.statusCode}: ${JSON.stringify(json)}`);
  const position = response.headers['x-position'];
  if (typeof position === 'string' && json) positions.set(json, BigInt(position));
  return json;
}

/**
 * Lag of a view behind acknowledged writes: each watched position resolves
 * when the view's checkpoint passes it, read every 2 ms.
 */
function lagWatcher(redis: Redis, projection: string) {
  const waiting: Array<{ position: bigint; since: number; done: (ms: number) => void }> = [];
  let stopped = false;
  const keys = viewKeys(projection);
  const loop = (async () => {
    while (!stopped) {
      if (waiting.length > 0) {
        const generation = (await redis.get(keys.live)) ?? INITIAL_GENERATION;
        const checkpoint = BigInt((await redis.get(keys.checkpoint(generation))) ?? '-1');
        const now = performance.now();
        for (let i = waiting.length - 1; i >= 0; i--) {
          const entry = waiting[i];
          if (entry.position > checkpoint) continue;
          waiting.splice(i, 1);
          entry.done(now - entry.since);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  return {
    watch: (position: bigint) =>
      new Promise<number>((done) => waiting.push({ position, since: performance.now(), done })),
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-commands-'));
  const store = await startStoreProcess(dataDir);
  const api = await startApp(
    'api',
    { EVENTSTORE_URL: store.url, HTTP_PORT: String(PORT), NODE_ENV: 'test', REDIS_KEY_PREFIX: PREFIX },
    apiAnswers(PORT),
  );
  const client = EventStoreDBClient.connectionString(store.url);
  const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: PREFIX });
  let lastPosition = -1n;
  try {
    // One customer with an active subscription per client.
    const customers = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const customer = await call('POST', '/v1/customers', { name: 'Bench Co' });
        const subscriptionId = randomUUID();
        await call('POST', `/v1/customers/${customer.customerId}/subscriptions`, { subscriptionId, name: 'Main' });
        return { customerId: customer.customerId as string, subscriptionId };
      }),
    );
    const items = ['ri-standard_d2s_v5-eastus-p1y', 'ri-standard_d4s_v5-eastus-p1y', 'ri-standard_e8s_v5-eastus-p1y'];
    const flowMs: number[] = [];
    const requestMs: number[] = [];

    /** One client's purchase in 6 requests; the order's answer is returned. */
    const purchase = async (i: number): Promise<any> => {
      const { customerId, subscriptionId } = customers[i % CLIENTS];
      const started = performance.now();
      const step = async (method: string, path: string, body?: unknown) => {
        const t = performance.now();
        const answer = await call(method, path, body);
        requestMs.push(performance.now() - t);
        return answer;
      };
      const cart = await step('POST', `/v1/customers/${customerId}/carts`);
      for (const catalogItemId of items) {
        await step('POST', `/v1/carts/${cart.cartId}/items`, {
          catalogItemId,
          quantity: 2,
          subscriptionId,
          term: 'P1Y',
          billingPlan: 'Upfront',
        });
      }
      await step('PUT', `/v1/carts/${cart.cartId}/scope`, { type: 'single', subscriptionId });
      const order = await step('POST', `/v1/carts/${cart.cartId}/purchase`);
      if (!order.orderNumber) throw new Error('purchase returned no order number');
      flowMs.push(performance.now() - started);
      return order;
    };
    /** PURCHASES purchases by CLIENTS clients at once, with their latencies and the events they appended. */
    const purchases = async () => {
      const head = await headPosition(client);
      const run = await timed(() =>
        pool(PURCHASES, CLIENTS, async (i) => {
          const position = positions.get(await purchase(i)) ?? -1n;
          if (position > lastPosition) lastPosition = position;
        }),
      );
      const eventsPerPurchase = (await countEventsAfter(client, head)) / PURCHASES;
      return {
        seconds: run.seconds,
        eventsPerPurchase,
        flows: flowMs.splice(0).sort((a, b) => a - b),
        requests: requestMs.splice(0).sort((a, b) => a - b),
      };
    };

    await pool(WARMUP_PURCHASES, CLIENTS, purchase);
    flowMs.length = requestMs.length = 0;
    const first = await purchases();
    let grown: Awaited<ReturnType<typeof purchases>> | undefined;
    let prefillRate = 0;
    if (PREFILL_EVENTS > 0) {
      const filled = await timed(() => prefill(client, PREFILL_EVENTS));
      prefillRate = filled.result / filled.seconds;
      grown = await purchases();
    }
    const run = first;
    const { eventsPerPurchase } = first;
    const firstFlows = first.flows;
    const firstRequests = first.requests;

    // Phase 2: a worker runs the projections (and fulfils the orders), as in production; how far behind the order history is.
    const worker = await startApp(
      'worker',
      { EVENTSTORE_URL: store.url, NODE_ENV: 'test', REDIS_KEY_PREFIX: PREFIX, PROVISIONING_LATENCY_MS: '0' },
      async () => {
        const checkpoint = await redis.get(
          viewKeys(ORDER_HISTORY).checkpoint((await redis.get(viewKeys(ORDER_HISTORY).live)) ?? INITIAL_GENERATION),
        );
        return checkpoint !== null && BigInt(checkpoint) >= lastPosition;
      },
    ).catch((error: Error) => {
      throw new Error(`worker did not catch up with the first phase: ${error.message}`);
    });
    // The orders of the phases before are fulfilled first, so the lag is measured on a worker in its steady state.
    const fulfilment = new Queue(FULFILMENT_QUEUE, {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: queuePrefix(PREFIX),
    });
    const drained = await timed(async () => {
      while (
        Object.values(await fulfilment.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).some(
          (count) => count > 0,
        )
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    await fulfilment.close();
    const watcher = lagWatcher(redis, ORDER_HISTORY);
    const lagMs: number[] = [];
    const lagRun = await timed(() =>
      pool(LAG_PURCHASES, CLIENTS, async (i) => {
        const order = await purchase(i);
        lagMs.push(await watcher.watch(positions.get(order)!));
      }),
    );
    await watcher.stop();
    await worker.stop();
    lagMs.sort((a, b) => a - b);

    // The same store and Redis, no API in between.
    const limits = await measureLimits(store.url);
    const purchasesPerSecond = PURCHASES / run.seconds;
    const requestsPerSecond = firstRequests.length / run.seconds;
    const rows: Array<[string, string]> = [
      [
        `purchases (${PURCHASES.toLocaleString('en-US')} by ${CLIENTS} concurrent clients, 6 requests each)`,
        `${rate(PURCHASES, run.seconds)} purchases/s; target (#14) ≥ 200: ratio ${ratio(purchasesPerSecond, 200)}`,
      ],
      [
        'purchase flow latency p50 / p99',
        `${percentile(firstFlows, 50).toFixed(0)} ms / ${percentile(firstFlows, 99).toFixed(0)} ms`,
      ],
      [
        'single request latency p50 / p99',
        `${percentile(firstRequests, 50).toFixed(1)} ms / ${percentile(firstRequests, 99).toFixed(1)} ms; target (#14) p50 ≤ 30 ms: ratio ${ratio(30, percentile(firstRequests, 50))}`,
      ],
      ['HTTP requests', `${rate(firstRequests.length, run.seconds)} requests/s`],
      ['events appended per purchase', eventsPerPurchase.toFixed(1)],
      ...limitRows(limits),
      ['ratio: purchases/s ÷ raw appends/s', ratio(purchasesPerSecond, limits.storeAppendsPerSecond)],
      [
        'ratio: events appended through the API ÷ raw appends (target ≥ 0.35)',
        ratio(purchasesPerSecond * eventsPerPurchase, limits.storeAppendsPerSecond),
      ],
      ['ratio: HTTP requests/s ÷ Redis round trips/s', ratio(requestsPerSecond, limits.redisCommandsPerSecond)],
      ['api process peak RSS', `${peakRssMb(api.child.pid)} MB`],
      ...(grown
        ? ([
            [
              `store filled to ${PREFILL_EVENTS.toLocaleString('en-US')} more events`,
              `${rate(PREFILL_EVENTS, PREFILL_EVENTS / prefillRate)} events/s`,
            ],
            ['purchases on the filled store', `${rate(PURCHASES, grown.seconds)} purchases/s`],
            [
              'single request latency p50 / p99 on the filled store',
              `${percentile(grown.requests, 50).toFixed(1)} ms / ${percentile(grown.requests, 99).toFixed(1)} ms`,
            ],
            [
              'ratio: purchases/s on the filled store ÷ on the empty store (target ≥ 0.85)',
              ratio(PURCHASES / grown.seconds, purchasesPerSecond),
            ],
          ] as Array<[string, string]>)
        : []),
      [`orders of the phases before, fulfilled by the worker first`, `${drained.seconds.toFixed(1)} s`],
      [
        `with a worker projecting and fulfilling: ${LAG_PURCHASES} purchases`,
        `${rate(LAG_PURCHASES, lagRun.seconds)} purchases/s`,
      ],
      [
        'projection lag p50 / p99 (purchase answered → order history past its position)',
        `${percentile(lagMs, 50).toFixed(0)} ms / ${percentile(lagMs, 99).toFixed(0)} ms; target (#14) p99 ≤ 250 ms: ratio ${ratio(250, percentile(lagMs, 99))}`,
      ],
    ];
    console.log(`bench:commands on ${machine()}`);
    for (const [what, figure] of rows) console.log(`  ${what.padEnd(78)} ${figure}`);
  } finally {
    await http.close();
    await redis.quit();
    const raw = new Redis('redis://127.0.0.1:6379');
    await deleteDeploymentKeys(raw, PREFIX);
    await raw.quit();
    await client.dispose();
    await api.stop();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The position of a marker appended now: every later write comes after it. */
async function headPosition(client: EventStoreDBClient): Promise<bigint> {
  const marker = await client.appendToStream('bench-marker', jsonEvent({ type: 'BenchMarker', data: {} }));
  return marker.position!.commit;
}

/** Events written after `position`, read forwards from it, so the cost does not grow with the store. */
async function countEventsAfter(client: EventStoreDBClient, position: bigint): Promise<number> {
  let n = 0;
  for await (const event of client.readAll({ fromPosition: { commit: position, prepare: position } })) {
    if (event.event?.type !== 'BenchMarker') n++;
  }
  return n;
}

/** Fills the store with unrelated history in 100-event appends, 8 at a time, as another workload would. */
async function prefill(client: EventStoreDBClient, events: number): Promise<number> {
  const payload = {
    orderId: 'RO-2026-000123',
    sku: 'Standard_D2s_v5',
    region: 'westeurope',
    quantity: 3,
    note: 'x'.repeat(120),
  };
  await pool(events / 100, 8, (i) =>
    client.appendToStream(
      `history-${i % 10_000}`,
      Array.from({ length: 100 }, () => jsonEvent({ type: 'HistoryRecorded', data: payload })),
    ),
  );
  return events;
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
