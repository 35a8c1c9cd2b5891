/**
 * Rotating a partner's key without downtime (issue #30 §1): the api runs as a
 * real process on API_KEYS_FILE holding the old and the new key; requests
 * with the new key keep succeeding while the file loses the old key and the
 * process gets SIGHUP; then the old key is refused. A file that does not
 * parse, sent with SIGHUP, changes nothing. Each request's log line names the
 * key's client and role, never the key.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeKeys } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { freePort, RunningProcess, startStoreProcess, startTsProcess } from '../support/processes';

jest.setTimeout(120_000);

describe('API key rotation', () => {
  const oldKey = `old-${randomUUID()}`;
  const newKey = `new-${randomUUID()}`;
  const readerKey = `reader-${randomUUID()}`;
  const prefix = `test:${randomUUID()}:`;
  let dataDir: string;
  let processes: RunningProcess[] = [];

  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'rotation-'))));
  afterAll(async () => {
    for (const proc of processes) await proc.kill('SIGTERM');
    await removeKeys(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes the new key alongside the old, drops the old on SIGHUP with no request failing, and logs client and role', async () => {
    const keysFile = join(dataDir, 'keys.json');
    const keys = (entries: object[]) => writeFileSync(keysFile, JSON.stringify(entries));
    keys([
      { key: oldKey, partnerId: 'partner-rotating', client: 'erp-2026' },
      { key: newKey, partnerId: 'partner-rotating', client: 'erp-2027', role: 'writer' },
      { key: readerKey, partnerId: 'partner-rotating', client: 'bi', role: 'reader' },
    ]);
    const store = await startStoreProcess(join(dataDir, 'store'));
    const port = await freePort();
    const api = startTsProcess('apps/api/src/main.ts', {
      EVENTSTORE_URL: store.connectionString,
      REDIS_KEY_PREFIX: prefix,
      API_KEYS_FILE: keysFile,
      OPS_USERNAME: 'ops',
      OPS_PASSWORD: 'ops-secret',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      HTTP_PORT: String(port),
    });
    processes = [api, store.proc];
    const base = `http://127.0.0.1:${port}`;
    const as = (key: string, path: string, init: RequestInit = {}) =>
      fetch(`${base}${path}`, {
        ...init,
        headers: { 'x-api-key': key, 'content-type': 'application/json', ...(init.headers ?? {}) },
      });
    await eventually(
      async () => (await as(newKey, '/v1/catalog?limit=1').catch(() => undefined))?.status === 200,
      60_000,
      () => api.output(),
    );

    expect(
      (await as(oldKey, '/v1/customers', { method: 'POST', body: JSON.stringify({ name: 'Old key Ltd' }) })).status,
    ).toBe(201);
    expect(
      (await as(readerKey, '/v1/customers', { method: 'POST', body: JSON.stringify({ name: 'Reader Ltd' }) })).status,
    ).toBe(403);

    // The new key is used without a pause while the old one is removed.
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (!stop) statuses.push((await as(newKey, '/v1/catalog?limit=1')).status);
    })();
    keys([
      { key: newKey, partnerId: 'partner-rotating', client: 'erp-2027', role: 'writer' },
      { key: readerKey, partnerId: 'partner-rotating', client: 'bi', role: 'reader' },
    ]);
    api.child.kill('SIGHUP');
    await eventually(
      async () => (await as(oldKey, '/v1/catalog?limit=1')).status === 401,
      10_000,
      () => api.output(),
    );
    // A broken file on SIGHUP leaves the keys as they were.
    writeFileSync(keysFile, '[{"key": ');
    api.child.kill('SIGHUP');
    await eventually(
      () => api.output().includes('API keys not changed'),
      10_000,
      () => api.output(),
    );
    stop = true;
    await traffic;
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(
      (await as(newKey, '/v1/customers', { method: 'POST', body: JSON.stringify({ name: 'New key Ltd' }) })).status,
    ).toBe(201);
    expect((await as(oldKey, '/v1/catalog?limit=1')).status).toBe(401);
    expect(api.child.exitCode).toBeNull();

    // Each request's log line names the key's client and role, and never the key.
    await eventually(
      () => api.output().includes('"client":"bi"'),
      10_000,
      () => api.output(),
    );
    const lines = api
      .output()
      .split('\n')
      .filter((line) => line.includes('"msg":"request completed"') || line.includes('"msg":"request errored"'));
    const ofClient = (client: string) =>
      lines.filter((line) => line.includes(`"apiKey":{"partnerId":"partner-rotating","client":"${client}"`));
    expect(ofClient('erp-2026').some((line) => line.includes('"role":"writer"'))).toBe(true);
    expect(ofClient('erp-2027').some((line) => line.includes('"role":"writer"'))).toBe(true);
    expect(ofClient('bi').some((line) => line.includes('"role":"reader"') && line.includes('"statusCode":403'))).toBe(
      true,
    );
    for (const key of [oldKey, newKey, readerKey]) expect(api.output()).not.toContain(key);
  });
});
