/**
 * npm run bench:projections — appends 200,000 mixed domain events to the
 * embedded store (its own process), then times a full rebuild of every view
 * from position zero into Redis, as `npm run replay -- --all` does.
 */
import { EsdbEventStore } from '@app/eventstore-client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { ALL_PROJECTIONS, rebuildAndSwap } from '@app/projections';
import { scanKeys } from '@app/redis';
import { sampleHistory } from '../tools/sample-history';
import { limitRows, machine, measureLimits, peakRssMb, rate, ratio, startStoreProcess, timed } from './support';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-projections-'));
  const store = await startStoreProcess(dataDir);
  const client = EventStoreDBClient.connectionString(store.url);
  const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `bench:${randomUUID()}:` });
  try {
    const load = await timed(async () => {
      let appended = 0;
      const pending: Array<Promise<unknown>> = [];
      for (const batch of sampleHistory(EVENTS, 'bench')) {
        appended += batch.events.length;
        pending.push(
          client.appendToStream(
            batch.stream,
            batch.events.map((e) => jsonEvent(e)),
          ),
        );
        if (pending.length >= 200) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
      return appended;
    });
    const rssBefore = peakRssMb();
    const rebuild = await timed(() => rebuildAndSwap(new EsdbEventStore(client), redis, ALL_PROJECTIONS));
    const keys = (await scanKeys(redis, '*')).length;
    const limits = await measureLimits(store.url);
    const rebuildRate = rebuild.result.events / rebuild.seconds;
    const rows: Array<[string, string]> = [
      [
        `appended ${load.result.toLocaleString('en-US')} mixed domain events`,
        `${rate(load.result, load.seconds)} events/s`,
      ],
      [
        `full rebuild of ${ALL_PROJECTIONS.length} views (${ALL_PROJECTIONS.map((p) => p.name).join(', ')})`,
        `${rebuild.seconds.toFixed(1)} s`,
      ],
      ['rebuild throughput (events read from $all)', `${rate(rebuild.result.events, rebuild.seconds)} events/s`],
      ['Redis keys written', keys.toLocaleString('en-US')],
      ...limitRows(limits),
      [
        'ratio: rebuild events/s ÷ raw $all read events/s (target ≥ 0.9 at 1,000,000 events)',
        ratio(rebuildRate, limits.storeReadsPerSecond),
      ],
      [
        'ratio: Redis keys written/s in the rebuild ÷ Redis MULTI/EXEC writes/s',
        ratio(keys / rebuild.seconds, limits.redisPipelinedWritesPerSecond),
      ],
      ['rebuilding process peak RSS', `${peakRssMb()} MB (${rssBefore} MB before the rebuild)`],
      ['store process peak RSS', `${peakRssMb(store.child.pid)} MB`],
    ];
    console.log(`bench:projections on ${machine()}`);
    for (const [what, figure] of rows) console.log(`  ${what.padEnd(78)} ${figure}`);
    for (const key of await scanKeys(redis, '*')) await redis.unlink(key);
  } finally {
    await redis.quit();
    await client.dispose();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
