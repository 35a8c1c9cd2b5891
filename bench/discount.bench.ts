/**
 * npm run bench:discount — usage records discounted per second, for
 * 1,000,000 records (100 customers × 10 subscriptions = 1,000 subscriptions,
 * 500 reservations, 720 hours): first the pure engine alone, then through the
 * whole path (usage in Redis, one discount job per customer, the worker
 * processes recording DiscountApplied per customer-day in the store).
 * BENCH_WORKERS worker processes share the queue: 2 by default, one per core
 * of the machines here. Target (#14): ≤ 30 s through the queue.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FixedClock } from '@app/clock';
import { applyReservationDiscounts, legacyReservationStream } from '@app/domain';
import { enqueueDiscounts, UsageStore } from '@app/discount';
import { DISCOUNT_QUEUE, queuePrefix } from '@app/queues';
import { deleteDeploymentKeys } from '../libs/queues/testing/deployment-keys';
import {
  catalog,
  CUSTOMERS,
  CustomerData,
  generate,
  HOURS,
  RESERVATIONS_PER_CUSTOMER,
  START_MS,
  SUBSCRIPTIONS_PER_CUSTOMER,
} from './usage-set';
import {
  limitRows,
  machine,
  measureLimits,
  peakRssMb,
  rate,
  ratio,
  startApp,
  startStoreProcess,
  timed,
} from './support';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);

async function throughQueue(customers: CustomerData[], total: number): Promise<Array<[string, string]>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-discount-'));
  const store = await startStoreProcess(dataDir);
  const client = EventStoreDBClient.connectionString(store.url);
  const prefix = `bench:${randomUUID()}:`;
  const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: prefix });
  const queue = new Queue(DISCOUNT_QUEUE, {
    connection: { host: '127.0.0.1', port: 6379 },
    prefix: queuePrefix(prefix),
  });
  // Node runs a process on one core: the queue spreads the jobs over one worker per core, and the projections run in one of them (the others stand by).
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, () =>
      startApp(
        'worker',
        { EVENTSTORE_URL: store.url, REDIS_KEY_PREFIX: prefix, RUN_PROJECTIONS: 'true' },
        async () => true,
      ),
    ),
  );
  try {
    // Reservations go in as ReservationProvisioned alone, each in a stream of its own (no order to fulfil); the reservations view is built from them.
    for (const customer of customers) {
      await Promise.all(
        customer.reservations.map((reservation) =>
          client.appendToStream(
            legacyReservationStream(reservation.reservationId),
            jsonEvent({
              type: 'ReservationProvisioned',
              data: {
                ...reservation,
                orderId: randomUUID(),
                orderNumber: 'RO-2026-000000',
                lineNumber: 1,
                partnerId: 'p-bench',
                catalogItemId: 'bench',
                armSkuName: 'bench',
                term: 'P1Y',
                billingPlan: 'Upfront',
                appliedSubscriptionIds:
                  reservation.scope.type === 'single' ? [reservation.scope.subscriptionId] : customer.subscriptions,
              },
            }),
          ),
        ),
      );
    }
    // The Clock at the set's end: every hour is within the retention, whatever the day the bench runs.
    const clock = new FixedClock(new Date(START_MS + HOURS * 3_600_000).toISOString());
    const usageStore = new UsageStore(
      redis,
      { get: () => 400 } as unknown as ConstructorParameters<typeof UsageStore>[1],
      clock,
    );
    const ingest = await timed(async () => {
      for (const customer of customers)
        for (let i = 0; i < customer.usage.length; i += 10_000)
          await usageStore.save(customer.usage.slice(i, i + 10_000));
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // let the reservation view catch up
    const jobs = customers.map((c) => ({
      customerId: c.customerId,
      fromHour: new Date(START_MS).toISOString(),
      toHour: new Date(START_MS + (HOURS - 1) * 3_600_000).toISOString(),
      partnerId: 'p-bench',
      correlationId: 'bench',
    }));
    const run = await timed(async () => {
      for (const [i, job] of jobs.entries()) await enqueueDiscounts(queue, [job], customers[i].usage);
      for (;;) {
        const counts = await queue.getJobCounts('completed', 'failed');
        if (counts.failed > 0) throw new Error(`${counts.failed} discount job(s) failed`);
        if (counts.completed === jobs.length) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
    const limits = await measureLimits(store.url);
    // One DiscountApplied event per customer-day (its hours are small), each an fsynced append.
    const discountEvents = customers.length * Math.ceil(HOURS / 24);
    return [
      [
        `ingest ${total.toLocaleString('en-US')} records into the usage store (Redis)`,
        `${rate(total, ingest.seconds)} records/s`,
      ],
      [
        `through the queue: ${jobs.length} jobs, ${WORKERS} worker process${WORKERS > 1 ? 'es' : ''}, ${discountEvents.toLocaleString('en-US')} DiscountApplied (one per customer-day)`,
        `${rate(total, run.seconds)} records/s (${run.seconds.toFixed(1)} s)`,
      ],
      ['worker process peak RSS', workers.map((worker) => `${peakRssMb(worker.child.pid)} MB`).join(' / ')],
      ['store process peak RSS', `${peakRssMb(store.child.pid)} MB`],
      ...limitRows(limits),
      [
        'ratio: usage records ingested/s ÷ Redis MULTI/EXEC writes/s',
        ratio(total / ingest.seconds, limits.redisPipelinedWritesPerSecond),
      ],
      [
        'ratio: DiscountApplied appends/s through the queue ÷ raw appends/s',
        ratio(discountEvents / run.seconds, limits.storeAppendsPerSecond),
      ],
    ];
  } finally {
    await queue.close();
    await Promise.all(workers.map((worker) => worker.stop()));
    const raw = new Redis('redis://127.0.0.1:6379');
    await deleteDeploymentKeys(raw, prefix);
    await raw.quit();
    await redis.quit();
    await client.dispose();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const customers = generate();
  const total = customers.reduce((sum, c) => sum + c.usage.length, 0);
  const rssBefore = peakRssMb();
  const engine = await timed(async () => {
    let covered = 0;
    for (const customer of customers) {
      const result = applyReservationDiscounts(customer.usage, customer.reservations, (size) => catalog.sizeOf(size));
      covered += result.records.filter((r) => r.coveredHours > 0).length;
    }
    return covered;
  });
  const rows: Array<[string, string]> = [
    [
      `engine alone: ${total.toLocaleString('en-US')} records, ${CUSTOMERS * SUBSCRIPTIONS_PER_CUSTOMER} subscriptions, ${CUSTOMERS * RESERVATIONS_PER_CUSTOMER} reservations, ${HOURS} hours`,
      `${rate(total, engine.seconds)} records/s (${engine.seconds.toFixed(1)} s)`,
    ],
    ['records with some reservation coverage', engine.result.toLocaleString('en-US')],
    ['bench process peak RSS (1M records in memory)', `${peakRssMb()} MB (${rssBefore} MB after generating them)`],
  ];
  if (process.env.BENCH_ENGINE_ONLY !== 'true') rows.push(...(await throughQueue(customers, total)));
  console.log(`bench:discount on ${machine()}`);
  for (const [what, figure] of rows) console.log(`  ${what.padEnd(96)} ${figure}`);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
