/**
 * With no PERSONAL_DATA_URL (as under `npm start` on a bare machine),
 * contacts live in the embedded PostgreSQL (PGlite) in PERSONAL_DATA_DIR:
 * recorded, read and erased through the same routes, and still there after
 * the api restarts. The api runs as a real process: PGlite loads its
 * WebAssembly with dynamic imports, which Jest's module sandbox refuses.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTOSO_KEY, removeKeys } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { freePort, RunningProcess, startStoreProcess, startTsProcess } from '../support/processes';

jest.setTimeout(90_000);

describe('personal data in the embedded PostgreSQL', () => {
  const root = mkdtempSync(join(tmpdir(), 'personal-data-'));
  const dataDir = join(root, 'personal-data');
  const prefix = `test:${randomUUID()}:`;
  const processes: RunningProcess[] = [];

  afterAll(async () => {
    for (const proc of processes.reverse()) await proc.kill('SIGTERM');
    await removeKeys(prefix);
    rmSync(root, { recursive: true, force: true });
  });

  async function startApiProcess(env: Record<string, string>): Promise<{
    proc: RunningProcess;
    call: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;
  }> {
    const port = await freePort();
    const proc = startTsProcess('apps/api/src/main.ts', {
      ...env,
      HTTP_PORT: String(port),
      PERSONAL_DATA_URL: '',
      PERSONAL_DATA_DIR: dataDir,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      RUN_PROJECTIONS: 'true',
    });
    processes.push(proc);
    const base = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await fetch(`${base}/health/live`).catch(() => undefined))?.ok,
      60_000,
      () => proc.output(),
    );
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'x-api-key': CONTOSO_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    return { proc, call };
  }

  it('records, reads and erases contacts, and keeps them across a restart in its data directory', async () => {
    const store = await startStoreProcess(join(root, 'eventstore'));
    processes.push(store.proc);
    const env = { EVENTSTORE_URL: store.connectionString };

    const first = await startApiProcess(env);
    const kept = (await first.call('POST', '/v1/customers', { name: 'Kept Ltd' })).body.customerId;
    const erased = (await first.call('POST', '/v1/customers', { name: 'Erased Ltd' })).body.customerId;
    const contact = { name: 'Ada Lovelace', email: 'ada@kept.example' };
    expect((await first.call('PUT', `/v1/customers/${kept}/contact`, contact)).status).toBe(200);
    expect(
      (await first.call('PUT', `/v1/customers/${erased}/contact`, { name: 'Gone', email: 'gone@erased.example' }))
        .status,
    ).toBe(200);
    expect((await first.call('GET', `/v1/customers/${kept}/contact`)).body).toMatchObject({
      customerId: kept,
      ...contact,
    });
    expect((await first.call('DELETE', `/v1/customers/${erased}/personal-data`)).status).toBe(204);
    expect(await first.proc.kill('SIGTERM')).toBe(0);

    // PostgreSQL's own files, in the directory asked for.
    expect(readdirSync(dataDir)).toContain('PG_VERSION');

    const second = await startApiProcess(env);
    expect((await second.call('GET', `/v1/customers/${kept}/contact`)).body).toMatchObject({
      customerId: kept,
      ...contact,
    });
    expect((await second.call('GET', `/v1/customers/${erased}/contact`)).status).toBe(404);
  });
});
