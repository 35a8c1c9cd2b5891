/**
 * npm run bench:store — throughput of the embedded store through the official
 * client, the store running as its own process (as under `npm start`) and
 * fsyncing every acknowledged append.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent, START } from '@eventstore/db-client';
import { limitRows, machine, measureLimits, peakRssMb, pool, rate, startStoreProcess, timed } from './support';

const SINGLE_APPENDS = 20_000;
const IN_FLIGHT = 500;
const BATCH = 100;
const READ_EVENTS = 100_000;

const payload = { orderId: 'RO-2026-000123', sku: 'Standard_D2s_v5', region: 'westeurope', quantity: 3, note: 'x'.repeat(120) };

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  const store = await startStoreProcess(dataDir);
  const client = EventStoreDBClient.connectionString(store.url);
  const rows: Array<[string, string]> = [];
  try {
    await client.appendToStream('warmup', jsonEvent({ type: 'Warmup', data: {} }));

    const single = await timed(() =>
      pool(SINGLE_APPENDS, IN_FLIGHT, (i) => client.appendToStream(`single-${i % IN_FLIGHT}`, jsonEvent({ type: 'Bench', data: payload }))),
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
    rows.push([`readStream, ${read.result.toLocaleString('en-US')} events`, `${rate(read.result, read.seconds)} events/s`]);

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
    rows.push([`catch-up subscription, ${catchUp.result.toLocaleString('en-US')} events`, `${rate(catchUp.result, catchUp.seconds)} events/s`]);

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
    rows.push([`catch-up of $all, ${allCatchUp.result.toLocaleString('en-US')} events`, `${rate(allCatchUp.result, allCatchUp.seconds)} events/s`]);
    rows.push(['store process peak RSS', `${peakRssMb(store.child.pid)} MB`]);
    // The store's figures above are the raw limits; Redis's are measured in the same run for the other benches' comparison.
    rows.push(...limitRows(await measureLimits(store.url)));
  } finally {
    await client.dispose();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  console.log(`bench:store on ${machine()}`);
  for (const [what, figure] of rows) console.log(`  ${what.padEnd(70)} ${figure}`);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
