/**
 * npm run bench:webhooks — webhook delivery to a local receiver that
 * verifies every request with the standardwebhooks library, the store, api
 * and worker as their own processes on this machine's Redis:
 *
 * 1. deliveries/s: BENCH_TEST_DELIVERIES (600) test notifications queued at
 *    once, to one endpoint (one at a time, in order) and spread over 20
 *    endpoints (one at a time each);
 * 2. notification lag at BENCH_RATE (50) purchases/s for BENCH_SECONDS (20):
 *    from the OrderCompleted event's time (the Clock's instant it was
 *    decided and appended at) to the receiver's verified `order.completed`;
 *    p50, p99 and max, against the target of p99 ≤ 1 s.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Dispatcher, Pool } from 'undici';
import { deleteDeploymentKeys } from '../libs/queues/testing/deployment-keys';
import { WebhookReceiver } from '@app/webhooks';
import { apiAnswers, machine, percentile, pool, startApp, startStoreProcess } from './support';

const TEST_DELIVERIES = Number(process.env.BENCH_TEST_DELIVERIES ?? 600);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PREFIX = `bench-webhooks-${randomUUID().slice(0, 8)}:`;
const KEY = 'demo-key-contoso';
const PORT = 3900 + Math.floor(Math.random() * 90);
const http = new Pool(`http://127.0.0.1:${PORT}`, { connections: 64 });

async function call(method: Dispatcher.HttpMethod, path: string, body?: unknown): Promise<any> {
  const response = await http.request({
    method,
    path,
    headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`${method} ${path} answered ${response.statusCode}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const waitUntil = async (what: string, done: () => boolean, timeoutMs = 300_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

async function purchase(): Promise<string> {
  const { customerId } = await call('POST', '/v1/customers', { name: 'Bench Co' });
  const subscriptionId = randomUUID();
  await call('POST', `/v1/customers/${customerId}/subscriptions`, { subscriptionId, name: 'Main' });
  const { cartId } = await call('POST', `/v1/customers/${customerId}/carts`);
  await call('POST', `/v1/carts/${cartId}/items`, {
    catalogItemId: 'ri-standard_d2s_v5-eastus-p1y',
    quantity: 1,
    subscriptionId,
    term: 'P1Y',
    billingPlan: 'Upfront',
  });
  const order = await call('POST', `/v1/carts/${cartId}/purchase`);
  return order.orderId as string;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-webhooks-'));
  const store = await startStoreProcess(dataDir);
  const env = {
    EVENTSTORE_URL: store.url,
    REDIS_KEY_PREFIX: PREFIX,
    PROVISIONING_LATENCY_MS: '0',
    NODE_ENV: 'development',
    SANDBOX_CLOCK: 'false',
  };
  const api = await startApp('api', { ...env, HTTP_PORT: String(PORT), RUN_PROJECTIONS: 'false' }, apiAnswers(PORT));
  // Ready once the api sees a worker consuming (readiness).
  const worker = await startApp(
    'worker',
    { ...env, RUN_PROJECTIONS: 'true' },
    async () => (await fetch(`http://127.0.0.1:${PORT}/health`)).ok,
  );
  const receiver = await new WebhookReceiver().start();
  const rows: Array<[string, string, string]> = [];
  try {
    // 1. Deliveries per second, to one endpoint and to twenty.
    for (const endpoints of [1, 20]) {
      const hooks: string[] = [];
      for (let i = 0; i < endpoints; i++) {
        const created = await call('POST', '/v1/webhooks', {
          url: `${receiver.url}/tests-${endpoints}-${i}`,
          eventTypes: ['order.completed'],
        });
        receiver.secrets.push(created.secret);
        hooks.push(created.webhookId);
      }
      const before = receiver.delivered().length;
      const started = performance.now();
      await pool(TEST_DELIVERIES, 32, (i) => call('POST', `/v1/webhooks/${hooks[i % endpoints]}/test`));
      await waitUntil('the test deliveries', () => receiver.delivered().length - before >= TEST_DELIVERIES);
      const seconds = (performance.now() - started) / 1000;
      rows.push([
        `deliveries/s, ${endpoints} endpoint${endpoints > 1 ? 's' : ''} (${TEST_DELIVERIES} queued at once)`,
        (TEST_DELIVERIES / seconds).toFixed(0),
        endpoints === 1 ? 'one at a time, in order' : 'one at a time per endpoint',
      ]);
      for (const hook of hooks) await call('DELETE', `/v1/webhooks/${hook}`);
    }

    // 2. Lag from the event to its verified delivery at a steady purchase rate.
    const hook = await call('POST', '/v1/webhooks', { url: `${receiver.url}/orders`, eventTypes: ['order.completed'] });
    receiver.secrets.push(hook.secret);
    const lags: number[] = [];
    const receivedAt = new Map<string, { at: number; occurredAt: number }>();
    const ordered = new Set<string>();
    receiver.onDelivery = (received) => {
      if (received.path !== '/orders' || received.payload?.type !== 'order.completed') return;
      lags.push(received.at - Date.parse(received.payload.occurredAt));
      receivedAt.set(received.payload.id, { at: received.at, occurredAt: Date.parse(received.payload.occurredAt) });
    };
    const total = RATE * SECONDS;
    const started = performance.now();
    const inFlight: Array<Promise<void>> = [];
    let failures = 0;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        purchase().then(
          (orderId) => void ordered.add(orderId),
          () => void failures++,
        ),
      );
    }
    await Promise.all(inFlight);
    const offered = total / ((performance.now() - started) / 1000);
    process.stdout.write(
      `${total} purchases made at ${offered.toFixed(1)}/s (${failures} failed); waiting for their order.completed\n`,
    );
    await waitUntil(
      `every order.completed delivered (${ordered.size} orders)`,
      () => lags.length >= ordered.size,
      120_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${lags.length} delivered`);
    });
    const sorted = [...lags].sort((a, b) => a - b);
    // Where the time goes: the feed's cursor is Redis's time of the append, so event → feed is the reactor's part, feed → receiver the delivery's.
    const reactorLags: number[] = [];
    const deliveryLags: number[] = [];
    for (let after: string | undefined; ;) {
      const page = await call(
        'GET',
        `/v1/notifications?types=order.completed&limit=500${after ? `&after=${after}` : ''}`,
      );
      for (const item of page.items as Array<{ id: string; cursor: string }>) {
        const seen = receivedAt.get(item.id);
        if (!seen) continue;
        const appended = Number(item.cursor.split('-')[0]);
        reactorLags.push(appended - seen.occurredAt);
        deliveryLags.push(seen.at - appended);
      }
      if (page.items.length < 500) break;
      after = page.nextCursor;
    }
    reactorLags.sort((a, b) => a - b);
    deliveryLags.sort((a, b) => a - b);
    rows.push([`purchases/s offered (${total} purchases, ${failures} failed)`, offered.toFixed(1), `${RATE}`]);
    rows.push(['notification lag p50, ms (event → verified delivery)', percentile(sorted, 50).toFixed(0), '']);
    rows.push(['notification lag p99, ms', percentile(sorted, 99).toFixed(0), '≤ 1000']);
    rows.push(['notification lag max, ms', sorted.at(-1)!.toFixed(0), '']);
    rows.push([
      'of which event → feed (reactor) p50 / p99, ms',
      `${percentile(reactorLags, 50)} / ${percentile(reactorLags, 99)}`,
      '',
    ]);
    rows.push([
      'of which feed → verified delivery p50 / p99, ms',
      `${percentile(deliveryLags, 50)} / ${percentile(deliveryLags, 99)}`,
      '',
    ]);
  } finally {
    await receiver.stop();
    await worker.stop();
    await api.stop();
    await store.stop();
    const redis = new Redis('redis://127.0.0.1:6379');
    await deleteDeploymentKeys(redis, PREFIX);
    await redis.quit();
    rmSync(dataDir, { recursive: true, force: true });
    await http.close();
  }
  process.stdout.write(`\nbench:webhooks on ${machine()}, ${new Date().toISOString().slice(0, 10)}\n\n`);
  process.stdout.write('| figure | value | limit |\n| --- | --- | --- |\n');
  for (const [figure, value, limit] of rows) process.stdout.write(`| ${figure} | ${value} | ${limit} |\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
