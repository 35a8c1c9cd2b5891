/**
 * npm run bench:audit-export — a customer with 200,000 events (and another
 * customer's 20,000 interleaved, which the export must leave out) in the
 * embedded store (its own process); the built api (its own process) exports
 * it as an auditor, written to a file through a stream, while the api's RSS
 * is sampled every 50 ms. Memory must stay flat: the api's RSS may not grow
 * by more than a small fraction of what it sends. Then the file is verified
 * offline as `npm run audit:verify` does, and the figures are printed beside
 * their limits.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { get, IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { verifyExport } from '@app/audit';
import { deleteDeploymentKeys } from '../libs/queues/testing/deployment-keys';
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

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const OTHER_EVENTS = Math.round(EVENTS / 10);
const PORT = Number(process.env.BENCH_PORT ?? 3197);
const AUDITOR = 'demo-key-contoso-auditor';
/** The api's RSS may grow by at most this much while it streams (the export itself is over 100 MB at 200,000 events). */
const RSS_GROWTH_LIMIT_MB = 64;
const BATCH = 100;
/**
 * The api's V8 heap cap, below the size of the export: were the export held in
 * memory, the api would run out of it. Without a cap (BENCH_API_HEAP_MB=0)
 * V8 lets garbage pile up before collecting, and RSS grows with it.
 */
const HEAP_MB = Number(process.env.BENCH_API_HEAP_MB ?? 96);

const rssMb = (pid: number) => {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return match ? Number(match[1]) / 1024 : NaN;
};

/** A refund-ledger append of `count` events of a customer: the one stream no view folds, so the bench measures the export, not the projections. */
function refunds(customerId: string, from: number, count: number) {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const at = new Date(Date.UTC(2027, 0, 1) + i * 60_000).toISOString();
    return jsonEvent({
      id: randomUUID(),
      type: 'RefundRecorded',
      data: {
        customerId,
        cancellationId: `${randomUUID()}/return-at-${i}`,
        reservationId: randomUUID(),
        orderId: randomUUID(),
        amountUsd: 100 + (i % 1_000) / 100,
        kind: 'return',
        quantity: 1,
        countedUsd: 100 + (i % 1_000) / 100,
        expectedOrderRevision: i % 7,
        refundedAt: at,
      },
      metadata: {
        correlationId: randomUUID(),
        causationId: randomUUID(),
        partnerId: 'partner-contoso',
        actor: 'partner-contoso/bench',
        role: 'writer',
        timestamp: at,
      },
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-audit-export-'));
  const store = await startStoreProcess(join(dir, 'store'));
  const client = EventStoreDBClient.connectionString(store.url);
  const prefix = `bench:${randomUUID()}:`;
  const customerId = randomUUID();
  const otherId = randomUUID();
  const registered = (id: string, partnerId: string) =>
    jsonEvent({
      type: 'CustomerRegistered',
      data: { customerId: id, partnerId, name: 'Bench Ltd', registeredAt: '2027-01-01T00:00:00.000Z' },
      metadata: {
        correlationId: randomUUID(),
        causationId: randomUUID(),
        partnerId,
        actor: `${partnerId}/bench`,
        role: 'writer',
        timestamp: '2027-01-01T00:00:00.000Z',
      },
    });
  let api: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const load = await timed(async () => {
      await client.appendToStream(`customer-${customerId}`, [registered(customerId, 'partner-contoso')]);
      await client.appendToStream(`customer-${otherId}`, [registered(otherId, 'partner-contoso')]);
      const ratioOther = EVENTS / OTHER_EVENTS;
      const pending: Array<Promise<unknown>> = [];
      for (let i = 0, other = 0; i < EVENTS; i += BATCH) {
        pending.push(
          client.appendToStream(`refund-ledger-${customerId}`, refunds(customerId, i, Math.min(BATCH, EVENTS - i))),
        );
        while (other < OTHER_EVENTS && other * ratioOther < i) {
          pending.push(client.appendToStream(`refund-ledger-${otherId}`, refunds(otherId, other, BATCH)));
          other += BATCH;
        }
        // One append at a time per stream keeps the expected order; a few in flight across the two.
        if (pending.length >= 2) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
      return EVENTS + OTHER_EVENTS + 2;
    });

    api = await startApp(
      'api',
      {
        EVENTSTORE_URL: store.url,
        HTTP_PORT: String(PORT),
        NODE_ENV: 'test',
        REDIS_KEY_PREFIX: prefix,
        RUN_PROJECTIONS: 'true',
        AUDIT_SIGNING_KEY_FILE: join(dir, 'key.pem'),
        ...(HEAP_MB ? { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } : {}),
      },
      async () =>
        (await fetch(`http://127.0.0.1:${PORT}/v1/audit/public-key`, { headers: { 'x-api-key': AUDITOR } })).ok,
    );
    const pid = api.child.pid!;
    // The views follow the store before the export is asked for (it refuses, 503, while they are behind).
    const url = `http://127.0.0.1:${PORT}/v1/customers/${customerId}/audit-export`;
    for (let tries = 0; ; tries++) {
      const probe = await fetch(url, { headers: { 'x-api-key': AUDITOR }, method: 'GET' });
      await probe.body?.cancel();
      if (probe.status === 200) break;
      if (tries > 600) throw new Error(`the export still answers ${probe.status}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Settle after the probe, then measure.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const file = join(dir, 'export.ndjson');
    const rssBefore = rssMb(pid);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMb(pid)), 50);
    const exported = await timed(async () => {
      // node:http rather than fetch: the client must not be what sets the pace.
      const answer = await new Promise<IncomingMessage>((resolve, reject) =>
        get(url, { headers: { 'x-api-key': AUDITOR } }, resolve).on('error', reject),
      );
      if (answer.statusCode !== 200) throw new Error(`export answered ${answer.statusCode}`);
      await pipeline(answer, createWriteStream(file));
    });
    clearInterval(sampler);
    const bytes = statSync(file).size;
    const peak = Math.max(...samples);
    const lastQuarter = samples.slice(Math.floor(samples.length * 0.75));
    const firstQuarter = samples.slice(0, Math.max(1, Math.floor(samples.length * 0.25)));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

    const verified = await timed(() =>
      verifyExport(createInterface({ input: createReadStream(file), crlfDelay: Infinity })),
    );
    if (!verified.result.ok)
      throw new Error(
        `the export does not verify: line ${verified.result.failure!.line}: ${verified.result.failure!.reason}`,
      );
    if (verified.result.events !== EVENTS + 1)
      throw new Error(`the export holds ${verified.result.events} events, not ${EVENTS + 1}`);

    const growth = peak - rssBefore;
    const limits = await measureLimits(store.url);
    const exportRate = verified.result.events / exported.seconds;
    const rows: Array<[string, string, string]> = [
      ['api V8 heap cap (--max-old-space-size; BENCH_API_HEAP_MB)', HEAP_MB ? `${HEAP_MB} MB` : 'none', ''],
      [
        `appended ${load.result.toLocaleString('en-US')} events (${EVENTS.toLocaleString('en-US')} of the customer)`,
        `${rate(load.result, load.seconds)} events/s`,
        '',
      ],
      [
        `exported ${verified.result.events.toLocaleString('en-US')} events, ${(bytes / 2 ** 20).toFixed(0)} MB of NDJSON`,
        `${exported.seconds.toFixed(1)} s, ${rate(verified.result.events, exported.seconds)} events/s`,
        '',
      ],
      ...limitRows(limits).map(([what, figure]): [string, string, string] => [what, figure, '']),
      [
        'ratio: export events/s ÷ raw $all read events/s (the export reads all of $all)',
        ratio(exportRate, limits.storeReadsPerSecond),
        '',
      ],
      ['api RSS before the export', `${rssBefore.toFixed(0)} MB`, ''],
      [
        'api RSS during the export: peak, and growth over before',
        `${peak.toFixed(0)} MB, +${growth.toFixed(0)} MB`,
        `limit +${RSS_GROWTH_LIMIT_MB} MB ${growth <= RSS_GROWTH_LIMIT_MB ? 'ok' : 'EXCEEDED'}`,
      ],
      [
        'api RSS mean, first and last quarter of the export (flat: about equal)',
        `${mean(firstQuarter).toFixed(0)} MB → ${mean(lastQuarter).toFixed(0)} MB`,
        `limit last − first ≤ ${RSS_GROWTH_LIMIT_MB / 2} MB ${mean(lastQuarter) - mean(firstQuarter) <= RSS_GROWTH_LIMIT_MB / 2 ? 'ok' : 'EXCEEDED'}`,
      ],
      [
        'offline verification (chain, signature, replay), as npm run audit:verify',
        `${verified.seconds.toFixed(1)} s, ${rate(verified.result.events, verified.seconds)} events/s`,
        '',
      ],
      ['bench process peak RSS (the verifier)', `${peakRssMb()} MB`, ''],
      ['store process peak RSS', `${peakRssMb(store.child.pid)} MB`, ''],
    ];
    console.log(`bench:audit-export on ${machine()}`);
    for (const [what, figure, limit] of rows) console.log(`  ${what.padEnd(78)} ${figure.padEnd(28)} ${limit}`);
    if (growth > RSS_GROWTH_LIMIT_MB) process.exitCode = 1;
  } finally {
    await api?.stop();
    await client.dispose();
    await store.stop();
    const redis = new Redis('redis://127.0.0.1:6379');
    await deleteDeploymentKeys(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
