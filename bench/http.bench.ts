/**
 * npm run bench:http — the HTTP surface under a fixed number of connections,
 * as `wrk -c20` would drive it (wrk is not on these machines; autocannon is
 * the Node equivalent, and runs on the same two cores as the api and store):
 * GET /health/live (Nest's own ceiling: no store, no Redis) and
 * POST /v1/customers (one append to a new stream). The api and the embedded
 * store run as their own processes, as in production.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { deleteDeploymentKeys } from '../libs/queues/testing/deployment-keys';
import {
  apiAnswers,
  limitRows,
  machine,
  measureLimits,
  peakRssMb,
  ratio,
  startApp,
  startStoreProcess,
} from './support';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PORT = 3900 + Math.floor(Math.random() * 90);
const PREFIX = `bench-http-${randomUUID().slice(0, 8)}:`;

interface Load {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** #14's figure for it, in requests per second. */
  target: number;
}

async function drive(load: Load): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${PORT}${load.path}`,
    method: load.method,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'x-api-key': 'demo-key-contoso', ...(load.body ? { 'content-type': 'application/json' } : {}) },
    body: load.body ? JSON.stringify(load.body) : undefined,
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const store = await startStoreProcess(dataDir);
  const api = await startApp(
    'api',
    { EVENTSTORE_URL: store.url, HTTP_PORT: String(PORT), NODE_ENV: 'test', REDIS_KEY_PREFIX: PREFIX },
    apiAnswers(PORT),
  );
  const redis = new Redis('redis://127.0.0.1:6379');
  const rows: Array<[string, string]> = [];
  try {
    const loads: Load[] = [
      { method: 'GET', path: '/health/live', target: 3_200 },
      { method: 'POST', path: '/v1/customers', body: { name: 'Bench Co' }, target: 1_500 },
    ];
    // Warm the api (JIT, connections) before anything is measured.
    await autocannon({ url: `http://127.0.0.1:${PORT}/health/live`, connections: CONNECTIONS, duration: 2 });
    // BENCH_PATHS=/v1/customers drives one path alone, e.g. under BENCH_CPU_PROFILE.
    const only = process.env.BENCH_PATHS?.split(',');
    for (const load of loads.filter((candidate) => !only || only.includes(candidate.path))) {
      const result = await drive(load);
      const ok = result['2xx'];
      const perSecond = ok / SECONDS;
      const refused = result.non2xx + result.errors + result.timeouts;
      rows.push([
        `${load.method} ${load.path}, ${CONNECTIONS} connections, ${SECONDS} s`,
        `${Math.round(perSecond).toLocaleString('en-US')} req/s answered 2xx (${refused} not); latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; target ≥ ${load.target.toLocaleString('en-US')}: ratio ${ratio(perSecond, load.target)}`,
      ]);
    }
    rows.push(['api process peak RSS', `${peakRssMb(api.child.pid)} MB`]);
    rows.push(...limitRows(await measureLimits(store.url)));
  } finally {
    await api.stop();
    await deleteDeploymentKeys(redis, PREFIX);
    await redis.quit();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`bench:http on ${machine()} (autocannon in the same machine's two cores)`);
  for (const [what, figure] of rows) console.log(`  ${what.padEnd(52)} ${figure}`);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
