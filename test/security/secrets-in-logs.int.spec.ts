/**
 * Secrets never reach the logs: the api and the worker run as real processes
 * at the most verbose level, with secrets of their own, and everything they
 * print is searched for those secrets after traffic that exercises success,
 * refusal and failure paths.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeKeys } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { freePort, RunningProcess, startStoreProcess, startTsProcess } from '../support/processes';

jest.setTimeout(90_000);

describe('secrets in logs', () => {
  const partnerKey = `sk-partner-${randomUUID()}`;
  const opsPassword = `ops-${randomUUID()}`;
  const redisPassword = `redis-${randomUUID()}`;
  const prefix = `test:${randomUUID()}:`;
  let dataDir: string;
  let processes: RunningProcess[] = [];

  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'secrets-'))));
  afterAll(async () => {
    for (const proc of processes) await proc.kill('SIGTERM');
    await removeKeys(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints no API key, ops password or Redis password, whatever the outcome of a request', async () => {
    const store = await startStoreProcess(dataDir);
    const port = await freePort();
    const env = {
      EVENTSTORE_URL: store.connectionString,
      REDIS_KEY_PREFIX: prefix,
      // The local Redis has no password; a supplied one is ignored by the server but still a secret to us.
      REDIS_URL: `redis://:${redisPassword}@127.0.0.1:6379`,
      API_KEYS: `${partnerKey}=partner-secret:ci`,
      OPS_USERNAME: 'ops',
      OPS_PASSWORD: opsPassword,
      LOG_LEVEL: 'trace',
    };
    const api = startTsProcess('apps/api/src/main.ts', { ...env, HTTP_PORT: String(port) });
    const worker = startTsProcess('apps/worker/src/main.ts', env);
    processes = [api, worker, store.proc];
    const base = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok,
      60_000,
      () => api.output() + worker.output(),
    );

    const asPartner = (path: string, init: RequestInit = {}) =>
      fetch(`${base}${path}`, {
        ...init,
        headers: { 'x-api-key': partnerKey, 'content-type': 'application/json', ...(init.headers ?? {}) },
      });
    const customer = (await (
      await asPartner('/v1/customers', { method: 'POST', body: JSON.stringify({ name: 'Secretive Ltd' }) })
    ).json()) as {
      customerId: string;
    };
    expect(customer.customerId).toBeDefined();
    expect((await asPartner('/v1/customers', { method: 'POST', body: '{"name": ' })).status).toBe(400);
    expect((await asPartner(`/v1/customers/${randomUUID()}`)).status).toBe(404);
    expect((await fetch(`${base}/v1/customers`, { headers: { 'x-api-key': `${partnerKey}x` } })).status).toBe(401);
    expect((await fetch(`${base}/v1/customers`, { headers: { authorization: `Bearer ${partnerKey}` } })).status).toBe(
      401,
    );
    const basic = (password: string) => ({
      authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`,
    });
    expect((await fetch(`${base}/ops/queues`, { headers: basic(opsPassword) })).status).toBe(200);
    expect((await fetch(`${base}/ops/queues`, { headers: basic(`${opsPassword}x`) })).status).toBe(401);

    // The request log lines are there, so the search below searched something.
    await eventually(
      () => api.output().includes('"url":"/v1/customers"'),
      10_000,
      () => api.output(),
    );
    const everything = api.output() + worker.output() + store.proc.output();
    const basicAuth = Buffer.from(`ops:${opsPassword}`).toString('base64');
    for (const secret of [partnerKey, opsPassword, redisPassword, basicAuth]) expect(everything).not.toContain(secret);
    expect(everything).toContain('[redacted]');
  });
});
