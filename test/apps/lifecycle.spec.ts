/** The deployables start, answer, and stop cleanly on SIGTERM, as real processes. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startTsProcess, waitForOutput } from '../support/processes';

describe('process lifecycle', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'lifecycle-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('api starts on the embedded store, reports ready, serves OpenAPI, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const api = startTsProcess('apps/api/src/main.ts', {
      HTTP_PORT: String(port),
      EVENTSTORE_DATA_DIR: dataDir,
      EVENTSTORE_EMBEDDED_PORT: '0',
      REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    });
    try {
      await waitForOutput(api, /Nest application successfully started/);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', info: { eventstore: { status: 'up' }, redis: { status: 'up' } } });
      const docs = await fetch(`http://127.0.0.1:${port}/docs-json`);
      expect(((await docs.json()) as { info: { title: string } }).info.title).toBe('Reservation orders');
    } finally {
      const code = await api.kill('SIGTERM');
      expect({ code, output: code === 0 ? '' : api.output() }).toEqual({ code: 0, output: '' });
    }
  });

  it('worker starts and exits 0 on SIGTERM', async () => {
    const worker = startTsProcess('apps/worker/src/main.ts', { EVENTSTORE_DATA_DIR: dataDir, EVENTSTORE_EMBEDDED_PORT: '0', REDIS_KEY_PREFIX: `test:${randomUUID()}:` });
    try {
      await waitForOutput(worker, /worker started/);
    } finally {
      const code = await worker.kill('SIGTERM');
      expect({ code, output: code === 0 ? '' : worker.output() }).toEqual({ code: 0, output: '' });
    }
  });

  it('refuses to start with invalid configuration and names the variable', async () => {
    const api = startTsProcess('apps/api/src/main.ts', { HTTP_PORT: 'eighty', EVENTSTORE_DATA_DIR: dataDir });
    expect(await api.exited).toBe(1);
    expect(api.output()).toMatch(/HTTP_PORT must be an integer/);
  });
});
