/**
 * npm run bench:fulfilment — orders fulfilled per second for 5,000 pending
 * orders, with worker concurrency 1, 8 and 32. Each run has a fresh store
 * process and BENCH_WORKERS worker processes (1 by default; a second one
 * gained nothing here), with the real hand-off, queue and processor.
 * Provisioning latency is 0 by default, so the figure is this system's own
 * cost; set BENCH_PROVISIONING_LATENCY_MS to simulate Azure.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, eventTypeFilter, jsonEvent, START } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { Catalog } from '@app/domain';
import { deleteDeploymentKeys } from '../libs/queues/testing/deployment-keys';
import {
  limitRows,
  Limits,
  machine,
  measureLimits,
  peakRssMb,
  rate,
  ratio,
  startApp,
  startStoreProcess,
  timed,
} from './support';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 5_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const LATENCY = process.env.BENCH_PROVISIONING_LATENCY_MS ?? '0';
const item = Catalog.shipped().get('ri-standard_d4s_v5-eastus-p1y', new Date().toISOString())!;

async function seed(client: EventStoreDBClient): Promise<void> {
  const pending: Array<Promise<unknown>> = [];
  for (let n = 0; n < ORDERS; n++) {
    const customerId = randomUUID();
    const subscriptionId = randomUUID();
    const orderId = randomUUID();
    const at = new Date().toISOString();
    pending.push(
      client.appendToStream(`customer-${customerId}`, [
        jsonEvent({
          type: 'CustomerRegistered',
          data: { customerId, partnerId: 'p-bench', name: 'Bench', registeredAt: at },
        }),
        jsonEvent({ type: 'SubscriptionAdded', data: { customerId, subscriptionId, name: 'Main', addedAt: at } }),
      ]),
      client.appendToStream(
        `order-${orderId}`,
        jsonEvent({
          type: 'OrderPlaced',
          data: {
            orderId,
            orderNumber: `RO-2026-${String(n).padStart(6, '0')}`,
            cartId: randomUUID(),
            customerId,
            partnerId: 'p-bench',
            lines: [
              {
                lineId: randomUUID(),
                catalogItemId: item.id,
                armSkuName: item.armSkuName,
                region: item.region,
                term: 'P1Y',
                billingPlan: 'Upfront',
                quantity: 1,
                subscriptionId,
                unitPriceUsd: item.unitPriceUsd,
                lineNumber: 1,
                totalUsd: item.unitPriceUsd,
              },
            ],
            scope: { type: 'shared' },
            billingPlan: 'Upfront',
            currency: 'USD',
            totalUsd: item.unitPriceUsd,
            placedAt: at,
          },
        }),
      ),
    );
    if (pending.length >= 400) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

/** Resolves when `count` orders have ended, with when the first and the last ended (ms since the epoch). */
function completions(client: EventStoreDBClient, count: number): Promise<{ first: number; last: number }> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let first = 0;
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: eventTypeFilter({ prefixes: ['OrderCompleted', 'OrderFailed'] }),
    });
    subscription.on('data', () => {
      if (seen === 0) first = Date.now();
      if (++seen === count) {
        const last = Date.now();
        void subscription.unsubscribe().then(() => resolve({ first, last }));
      }
    });
    subscription.on('error', reject);
  });
}

async function run(
  concurrency: number,
): Promise<{ seconds: number; steadySeconds: number; workerRss: number; limits: Limits }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-fulfilment-'));
  const store = await startStoreProcess(dataDir);
  const client = EventStoreDBClient.connectionString(store.url);
  const prefix = `bench:${randomUUID()}:`;
  const redis = new Redis('redis://127.0.0.1:6379');
  try {
    await seed(client);
    const done = completions(client, ORDERS);
    let steadySeconds = 0;
    const result = await timed(async () => {
      const workers = await Promise.all(
        Array.from({ length: WORKERS }, () =>
          startApp(
            'worker',
            {
              EVENTSTORE_URL: store.url,
              REDIS_KEY_PREFIX: prefix,
              RUN_PROJECTIONS: 'false',
              FULFILMENT_CONCURRENCY: String(concurrency),
              PROVISIONING_LATENCY_MS: LATENCY,
            },
            async () => true,
          ),
        ),
      );
      const ended = await done;
      steadySeconds = (ended.last - ended.first) / 1000;
      const rss = Math.max(...workers.map((worker) => peakRssMb(worker.child.pid)));
      await Promise.all(workers.map((worker) => worker.stop()));
      return rss;
    });
    return { seconds: result.seconds, steadySeconds, workerRss: result.result, limits: await measureLimits(store.url) };
  } finally {
    await deleteDeploymentKeys(redis, prefix);
    await redis.quit();
    await client.dispose();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows: Array<[string, string]> = [];
  let limits: Limits | undefined;
  const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,8,32').split(',').map(Number);
  for (const concurrency of concurrencies) {
    const outcome = await run(concurrency);
    limits = outcome.limits;
    // Each order appends twice (the starts, then the reservations with the completion), each with an fsync.
    const appendsShare = ratio((ORDERS * 2) / outcome.seconds, limits.storeAppendsPerSecond);
    rows.push([
      `${ORDERS.toLocaleString('en-US')} orders, ${WORKERS} worker${WORKERS > 1 ? 's' : ''}, concurrency ${concurrency} each`,
      `${rate(ORDERS, outcome.seconds)} orders fulfilled/s (${outcome.seconds.toFixed(1)} s, worker peak RSS ${outcome.workerRss} MB); its appends ÷ raw appends: ${appendsShare}`,
    ]);
    rows.push([
      `  the same, from the first order ended to the last (worker start left out)`,
      `${rate(ORDERS - 1, outcome.steadySeconds)} orders fulfilled/s (${outcome.steadySeconds.toFixed(1)} s); target (#14) ≥ 1,000 at concurrency 32: ratio ${ratio(
        (ORDERS - 1) / outcome.steadySeconds,
        1000,
      )}`,
    ]);
  }
  rows.push(...limitRows(limits!));
  console.log(
    `bench:fulfilment on ${machine()}, provisioning latency ${LATENCY} ms, 1 line per order, worker start included`,
  );
  for (const [what, figure] of rows) console.log(`  ${what.padEnd(66)} ${figure}`);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
