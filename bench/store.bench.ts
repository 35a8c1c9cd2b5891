/**
 * npm run bench:store — throughput of the embedded store through the official
 * client, the store running as its own process (as under `npm start`) and
 * fsyncing every acknowledged append. Then how it bears growth: a store
 * filled to 100,000 and to 1,000,000 events (BENCH_STORE_GROWTH_EVENTS), with
 * its memory, its start-up (the recovery scan) and the rate of reading $all
 * at each size. Targets (#14): RSS ≤ 400 MB and start-up ≤ 10 s at 1M events;
 * $all read rate at 1M ÷ at 100k ≥ 0.85.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent, START } from '@eventstore/db-client';
import { limitRows, machine, measureLimits, peakRssMb, pool, rate, ratio, startStoreProcess, timed } from './support';

const SINGLE_APPENDS = 20_000;
const IN_FLIGHT = 500;
const BATCH = 100;
const READ_EVENTS = 100_000;
const GROWTH_EVENTS = Number(process.env.BENCH_STORE_GROWTH_EVENTS ?? 1_000_000);
const GROWTH_READ = 100_000;

const payload = {
  orderId: 'RO-2026-000123',
  sku: 'Standard_D2s_v5',
  region: 'westeurope',
  quantity: 3,
  note: 'x'.repeat(120),
};

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  const store = await startStoreProcess(dataDir);
  const client = EventStoreDBClient.connectionString(store.url);
  const rows: Array<[string, string]> = [];
  try {
    await client.appendToStream('warmup', jsonEvent({ type: 'Warmup', data: {} }));

    const single = await timed(() =>
      pool(SINGLE_APPENDS, IN_FLIGHT, (i) =>
        client.appendToStream(`single-${i % IN_FLIGHT}`, jsonEvent({ type: 'Bench', data: payload })),
      ),
    );
    rows.push([
      `append, batch 1, ${IN_FLIGHT} in flight (${SINGLE_APPENDS.toLocaleString('en-US')} appends)`,
      `${rate(SINGLE_APPENDS, single.seconds)} appends/s`,
    ]);

    const batches = READ_EVENTS / BATCH;
    const batched = await timed(() =>
      pool(batches, 8, () =>
        client.appendToStream(
          'read-target',
          Array.from({ length: BATCH }, () => jsonEvent({ type: 'Bench', data: payload })),
        ),
      ),
    );
    rows.push([
      `append, batch ${BATCH}, 8 in flight (${READ_EVENTS.toLocaleString('en-US')} events)`,
      `${rate(batches, batched.seconds)} appends/s = ${rate(READ_EVENTS, batched.seconds)} events/s`,
    ]);

    const read = await timed(async () => {
      let n = 0;
      for await (const _ of client.readStream('read-target', { fromRevision: START })) n++;
      return n;
    });
    rows.push([
      `readStream, ${read.result.toLocaleString('en-US')} events`,
      `${rate(read.result, read.seconds)} events/s`,
    ]);

    const catchUp = await timed(
      () =>
        new Promise<number>((resolve, reject) => {
          let n = 0;
          const subscription = client.subscribeToStream('read-target', { fromRevision: START });
          subscription.on('data', () => n++);
          subscription.on('error', reject);
          subscription.once('caughtUp', () => void subscription.unsubscribe().then(() => resolve(n)));
        }),
    );
    rows.push([
      `catch-up subscription, ${catchUp.result.toLocaleString('en-US')} events`,
      `${rate(catchUp.result, catchUp.seconds)} events/s`,
    ]);

    const allCatchUp = await timed(
      () =>
        new Promise<number>((resolve, reject) => {
          let n = 0;
          const subscription = client.subscribeToAll({ fromPosition: START });
          subscription.on('data', () => n++);
          subscription.on('error', reject);
          subscription.once('caughtUp', () => void subscription.unsubscribe().then(() => resolve(n)));
        }),
    );
    rows.push([
      `catch-up of $all, ${allCatchUp.result.toLocaleString('en-US')} events`,
      `${rate(allCatchUp.result, allCatchUp.seconds)} events/s`,
    ]);
    rows.push(['store process peak RSS', `${peakRssMb(store.child.pid)} MB`]);
    // The store's figures above are the raw limits; Redis's are measured in the same run for the other benches' comparison.
    rows.push(...limitRows(await measureLimits(store.url)));
  } finally {
    await client.dispose();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  rows.push(...(await growth()));
  console.log(`bench:store on ${machine()}`);
  for (const [what, figure] of rows) console.log(`  ${what.padEnd(70)} ${figure}`);
}

const rssMb = (pid: number) =>
  Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);

/** A store filled in steps; at each size, its memory, a $all read and a restart. */
async function growth(): Promise<Array<[string, string]>> {
  const rows: Array<[string, string]> = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-store-growth-'));
  let store = await startStoreProcess(dataDir);
  let client = EventStoreDBClient.connectionString(store.url);
  const readRates: number[] = [];
  try {
    let written = 0;
    for (const size of [100_000, GROWTH_EVENTS].filter((n, i, all) => all.indexOf(n) === i)) {
      const batches = (size - written) / BATCH;
      await pool(batches, 8, (i) =>
        client.appendToStream(
          `growth-${(written / BATCH + i) % 10_000}`,
          Array.from({ length: BATCH }, () => jsonEvent({ type: 'Bench', data: payload })),
        ),
      );
      written = size;
      const label = size.toLocaleString('en-US');
      rows.push([`store of ${label} events: store process RSS`, `${rssMb(store.child.pid!)} MB`]);
      await client.dispose();
      await store.stop();
      const restart = await timed(() => startStoreProcess(dataDir));
      store = restart.result;
      client = EventStoreDBClient.connectionString(store.url);
      rows.push([
        `store of ${label} events: start-up (recovery scan) until it listens`,
        `${restart.seconds.toFixed(1)} s, then ${rssMb(store.child.pid!)} MB RSS`,
      ]);
      // Read after the restart, so at both sizes the bodies come from the log file, not the cache of recent events.
      const read = await timed(async () => {
        let n = 0;
        for await (const _ of client.readAll({ fromPosition: START, maxCount: GROWTH_READ })) n++;
        return n;
      });
      readRates.push(read.result / read.seconds);
      rows.push([
        `store of ${label} events: read the first ${GROWTH_READ.toLocaleString('en-US')} of $all`,
        `${rate(read.result, read.seconds)} events/s`,
      ]);
      rows.push([`store of ${label} events: store process RSS after that read`, `${rssMb(store.child.pid!)} MB`]);
    }
    if (readRates.length === 2)
      rows.push([
        `ratio: $all read rate at ${GROWTH_EVENTS.toLocaleString('en-US')} ÷ at 100,000 events`,
        ratio(readRates[1], readRates[0]),
      ]);
  } finally {
    await client.dispose();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
