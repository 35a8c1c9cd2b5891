/**
 * npm run bench:commands — purchases through the HTTP API: N concurrent
 * clients each create a cart, add 3 items, set a single scope and buy. The
 * api and the embedded store run as their own processes, as in production.
 * In the same run, the same store and Redis are driven with no API in
 * between (measureLimits), so the API's cost shows as ratios.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { apiAnswers, limitRows, machine, measureLimits, peakRssMb, percentile, pool, rate, ratio, startApp, startStoreProcess, timed } from './support';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const PURCHASES = Number(process.env.BENCH_PURCHASES ?? 1_000);
const KEY = 'demo-key-contoso';
const PORT = 3900 + Math.floor(Math.random() * 90);

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method,
    headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-commands-'));
  const store = await startStoreProcess(dataDir);
  const api = await startApp('api', { EVENTSTORE_URL: store.url, HTTP_PORT: String(PORT), NODE_ENV: 'test' }, apiAnswers(PORT));
  const client = EventStoreDBClient.connectionString(store.url);
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
    const eventsBefore = await countEvents(client);

    const run = await timed(() =>
      pool(PURCHASES, CLIENTS, async (i) => {
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
          await step('POST', `/v1/carts/${cart.cartId}/items`, { catalogItemId, quantity: 2, subscriptionId, term: 'P1Y', billingPlan: 'Upfront' });
        }
        await step('PUT', `/v1/carts/${cart.cartId}/scope`, { type: 'single', subscriptionId });
        const order = await step('POST', `/v1/carts/${cart.cartId}/purchase`);
        if (!order.orderNumber) throw new Error('purchase returned no order number');
        flowMs.push(performance.now() - started);
      }),
    );
    const eventsPerPurchase = ((await countEvents(client)) - eventsBefore) / PURCHASES;

    // The same store and Redis, no API in between.
    const limits = await measureLimits(store.url);
    flowMs.sort((a, b) => a - b);
    requestMs.sort((a, b) => a - b);
    const purchasesPerSecond = PURCHASES / run.seconds;
    const requestsPerSecond = requestMs.length / run.seconds;
    const rows: Array<[string, string]> = [
      [`purchases (${PURCHASES.toLocaleString('en-US')} by ${CLIENTS} concurrent clients, 6 requests each)`, `${rate(PURCHASES, run.seconds)} purchases/s`],
      ['purchase flow latency p50 / p99', `${percentile(flowMs, 50).toFixed(0)} ms / ${percentile(flowMs, 99).toFixed(0)} ms`],
      ['single request latency p50 / p99', `${percentile(requestMs, 50).toFixed(1)} ms / ${percentile(requestMs, 99).toFixed(1)} ms`],
      ['HTTP requests', `${rate(requestMs.length, run.seconds)} requests/s`],
      ['events appended per purchase', eventsPerPurchase.toFixed(1)],
      ...limitRows(limits),
      ['ratio: purchases/s ÷ raw appends/s', ratio(purchasesPerSecond, limits.storeAppendsPerSecond)],
      ['ratio: events appended through the API ÷ raw appends', ratio(purchasesPerSecond * eventsPerPurchase, limits.storeAppendsPerSecond)],
      ['ratio: HTTP requests/s ÷ Redis round trips/s', ratio(requestsPerSecond, limits.redisCommandsPerSecond)],
      ['api process peak RSS', `${peakRssMb(api.child.pid)} MB`],
    ];
    console.log(`bench:commands on ${machine()}`);
    for (const [what, figure] of rows) console.log(`  ${what.padEnd(78)} ${figure}`);
  } finally {
    await client.dispose();
    await api.stop();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function countEvents(client: EventStoreDBClient): Promise<number> {
  let n = 0;
  for await (const _ of client.readAll()) n++;
  return n;
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
