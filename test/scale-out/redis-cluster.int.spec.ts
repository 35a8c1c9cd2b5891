/**
 * The system on a Redis Cluster of three masters: an api and a worker
 * process with REDIS_CLUSTER_NODES, the embedded store as its own process.
 * A purchase goes through commands, the hand-off, fulfilment and the
 * projections; a replay rebuilds every view on the cluster and finds no
 * difference. Every multi-key command, pipeline and transaction has to stay
 * on one hash slot for this to pass.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { eventually } from '../support/eventually';
import {
  freeClusterPort,
  freePort,
  RunningProcess,
  startRedisServer,
  startStoreProcess,
  startTsProcess,
} from '../support/processes';
import { replayVerify } from '../support/system-checks';

jest.setTimeout(180_000);
const run = promisify(execFile);

describe('on a Redis Cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const masters: RunningProcess[] = [];
  const processes: RunningProcess[] = [];
  let ports: number[];
  let env: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    ports = [];
    for (let i = 0; i < 3; i++) {
      let port = await freeClusterPort();
      while (ports.includes(port)) port = await freeClusterPort();
      ports.push(port);
      const nodeDir = join(dir, String(port));
      rmSync(nodeDir, { recursive: true, force: true });
      await import('node:fs').then(({ mkdirSync }) => mkdirSync(nodeDir, { recursive: true }));
      masters.push(
        await startRedisServer(port, nodeDir, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--appendfsync',
          'everysec',
        ]),
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await eventually(async () => {
      const states = await Promise.all(
        ports.map(async (port) => (await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).stdout),
      );
      return states.every((state) => state.includes('cluster_state:ok')) || undefined;
    });

    const store = await startStoreProcess(join(dir, 'store'));
    processes.push(store.proc);
    const port = await freePort();
    env = {
      EVENTSTORE_URL: store.connectionString,
      REDIS_CLUSTER_NODES: ports.map((p) => `127.0.0.1:${p}`).join(','),
      REDIS_KEY_PREFIX: `cluster-${randomUUID().slice(0, 8)}:`,
      PERSONAL_DATA_DIR: join(dir, 'personal-data'),
      PROVISIONING_LATENCY_MS: '0',
      LOG_LEVEL: 'warn',
    };
    const api = startTsProcess('apps/api/src/main.ts', {
      ...env,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      RUN_PROJECTIONS: 'false',
    });
    const worker = startTsProcess('apps/worker/src/main.ts', env);
    processes.push(api, worker);
    url = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok,
      90_000,
      () => `${api.output()}\n${worker.output()}`,
    );
  });

  afterAll(async () => {
    for (const proc of processes.reverse()) await proc.kill('SIGTERM');
    for (const master of masters) await master.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        'x-api-key': 'demo-key-contoso',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
  };

  it('buys, fulfils, projects and replays with every key on the slot its transaction needs', async () => {
    const customerId = (await call('POST', '/v1/customers', { name: 'Cluster Co' })).body.customerId;
    const subscriptionId = randomUUID();
    expect(
      (await call('POST', `/v1/customers/${customerId}/subscriptions`, { subscriptionId, name: 'Main' })).status,
    ).toBe(201);
    const cartId = (await call('POST', `/v1/customers/${customerId}/carts`)).body.cartId;
    const line = {
      catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
      quantity: 2,
      subscriptionId,
      term: 'P1Y',
      billingPlan: 'Upfront',
    };
    expect((await call('POST', `/v1/carts/${cartId}/items`, line)).status).toBe(201);
    expect((await call('PUT', `/v1/carts/${cartId}/scope`, { type: 'single', subscriptionId })).status).toBe(200);
    // Two identical purchases at once, with one Idempotency-Key: one order (the idempotency keys live in the cluster too).
    const [first, second] = await Promise.all(
      [1, 2].map(() => call('POST', `/v1/carts/${cartId}/purchase`, undefined, { 'idempotency-key': 'cluster-buy' })),
    );
    const orderId = first.body?.orderId ?? second.body?.orderId;
    expect([first.status, second.status].filter((status) => status < 300).length).toBeGreaterThan(0);
    for (const answer of [first, second]) if (answer.status < 300) expect(answer.body.orderId).toBe(orderId);

    // Fulfilled by the worker from the queue on the cluster, then shown by the projections on the cluster.
    const order = await eventually(async () => {
      const answer = await call('GET', `/v1/orders/${orderId}`);
      return answer.body?.status === 'completed' ? answer.body : undefined;
    }, 60_000);
    expect(order.reservations).toHaveLength(1);
    const history = await eventually(async () => {
      const answer = await call('GET', `/v1/customers/${customerId}/orders`);
      return answer.body?.items?.length ? answer.body.items : undefined;
    });
    expect(history.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);
    const reservations = await eventually(
      async () => (await call('GET', `/v1/customers/${customerId}/reservations`)).body?.items?.[0],
    );
    expect(reservations).toMatchObject({ orderId, quantity: 2 });

    // Usage and its discount: per-customer pipelines and the discount queue on the cluster.
    const hour = new Date(Math.ceil(Date.parse(reservations.effectiveDate) / 3_600_000) * 3_600_000).toISOString();
    const usage = {
      customerId,
      subscriptionId,
      resourceId: 'vm-1',
      region: 'westeurope',
      vmSize: 'Standard_D4s_v5',
      hour,
      quantity: 1,
      payAsYouGoRateUsd: 0.2,
    };
    expect((await call('POST', '/v1/usage', { records: [usage] })).status).toBe(202);
    const costs = await eventually(
      async () => (await call('GET', `/v1/customers/${customerId}/costs`)).body?.items?.[0],
    );
    expect(costs).toMatchObject({ subscriptionId, payAsYouGoCostUsd: 0.2, discountedCostUsd: 0 });

    // The keys are spread over the masters, not piled on one.
    const holding = await Promise.all(
      ports.map(async (port) => {
        const node = new Redis({ host: '127.0.0.1', port });
        try {
          return await node.dbsize();
        } finally {
          await node.quit();
        }
      }),
    );
    expect(holding.filter((keys) => keys > 0).length).toBeGreaterThan(1);

    // A full replay on the cluster rebuilds every view and finds it equal to the live one.
    const replay = await replayVerify(env);
    expect({ code: replay.code, output: replay.output }).toMatchObject({ code: 0 });
    const [, events, differences] = /verified .*: ([\d,]+) events read, (\d+) difference/.exec(replay.output) ?? [];
    expect(Number(events.replace(/,/g, ''))).toBeGreaterThan(10);
    expect(differences).toBe('0');
  });
});
