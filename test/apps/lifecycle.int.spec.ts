/**
 * The deployables as real processes on one store: they start, answer, report
 * readiness honestly, expose metrics and the queue dashboard, and stop
 * cleanly on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeKeys } from '../support/api-harness';
import { freePort, RunningProcess, startStoreProcess, startTsProcess, waitForOutput } from '../support/processes';

jest.setTimeout(60_000);

const expectCleanExit = async (proc: RunningProcess) => {
  const code = await proc.kill('SIGTERM');
  expect({ code, output: code === 0 ? '' : proc.output() }).toEqual({ code: 0, output: '' });
};

describe('process lifecycle', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'lifecycle-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('api and worker start on one store, report readiness, expose metrics and the dashboard, and exit 0 on SIGTERM', async () => {
    const store = await startStoreProcess(dataDir);
    const port = await freePort();
    const env = { EVENTSTORE_URL: store.connectionString, REDIS_KEY_PREFIX: `test:${randomUUID()}:` };
    const api = startTsProcess('apps/api/src/main.ts', { ...env, HTTP_PORT: String(port) });
    let worker: RunningProcess | undefined;
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, { headers });
    try {
      await waitForOutput(api, /Nest application successfully started/);
      expect((await get('/health/live')).status).toBe(200);
      const notReady = await get('/health');
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({
        error: { workers: { status: 'down', message: 'no worker is consuming the queues' } },
      });

      worker = startTsProcess('apps/worker/src/main.ts', env);
      await waitForOutput(worker, /worker started/);
      let ready: Response;
      do ready = await get('/health');
      while (
        ready.status !== 200 &&
        (await new Promise((resolve) => setTimeout(resolve, 100)), true) &&
        worker.child.exitCode === null
      );
      expect(await ready.json()).toMatchObject({
        status: 'ok',
        info: { eventstore: { status: 'up' }, redis: { status: 'up' }, workers: { status: 'up' } },
      });

      const docs = await get('/docs-json');
      expect(((await docs.json()) as { info: { title: string } }).info.title).toBe('Reservation orders');

      await fetch(`http://127.0.0.1:${port}/v1/customers`, {
        method: 'POST',
        headers: { 'x-api-key': 'demo-key-contoso', 'content-type': 'application/json' },
        body: '{"name":"M"}',
      });
      const metrics = await (await get('/metrics')).text();
      expect(metrics).toMatch(/queue_jobs\{queue="fulfilment",state="waiting"\} \d+/);
      expect(metrics).toMatch(/commands_handled_total\{command="POST \/v1\/customers",outcome="accepted"\} 1/);
      expect(metrics).toMatch(/projection_lag_events\{projection="carts"\} \d+/);
      expect(metrics).toMatch(/jobs_processed_total\{queue="fulfilment",outcome="completed"\} \d+/);
      expect(metrics).toMatch(/discount_records_total \d+/);

      expect((await get('/ops/queues')).status).toBe(401);
      expect((await get('/ops/queues', { 'x-api-key': 'demo-key-contoso' })).status).toBe(401);
      const dashboard = await get('/ops/queues', {
        authorization: `Basic ${Buffer.from('ops:ops').toString('base64')}`,
      });
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain('<title>Reservation orders</title>');
    } finally {
      if (worker) await expectCleanExit(worker);
      await expectCleanExit(api);
      await store.proc.kill('SIGTERM');
      await removeKeys(env.REDIS_KEY_PREFIX);
    }
  });

  it('the api alone starts on the embedded store in-process and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const prefix = `test:${randomUUID()}:`;
    const api = startTsProcess('apps/api/src/main.ts', {
      HTTP_PORT: String(port),
      EVENTSTORE_DATA_DIR: dataDir,
      EVENTSTORE_EMBEDDED_PORT: '0',
      REDIS_KEY_PREFIX: prefix,
    });
    try {
      await waitForOutput(api, /embedded event store listening/);
      await waitForOutput(api, /Nest application successfully started/);
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    } finally {
      await expectCleanExit(api);
      await removeKeys(prefix);
    }
  });

  it('refuses to start with invalid configuration and names the variable', async () => {
    const api = startTsProcess('apps/api/src/main.ts', { HTTP_PORT: 'eighty', EVENTSTORE_DATA_DIR: dataDir });
    expect(await api.exited).toBe(1);
    expect(api.output()).toMatch(/HTTP_PORT must be an integer/);
  });
});
