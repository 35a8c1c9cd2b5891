/**
 * In production the api and the worker talk to a real EventStoreDB. With
 * EVENTSTORE_URL forgotten they would each start an embedded store of their
 * own, on a local disk, and look healthy: so they refuse to start, unless
 * EVENTSTORE_EMBEDDED=true asks for the embedded store on purpose.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditSigner } from '@app/audit';
import { removeKeys } from '../support/api-harness';
import { freePort, startTsProcess, waitForOutput } from '../support/processes';

const REFUSAL =
  'EVENTSTORE_URL: required in production (unset, this process would start the embedded event store, which is meant for tests and local runs; set EVENTSTORE_EMBEDDED=true to use it anyway)';

/** Settles with 'still running' after `ms`, without keeping Jest waiting for the timer. */
const stillRunningAfter = (ms: number) =>
  new Promise<string>((resolve) => setTimeout(() => resolve('still running'), ms).unref());

describe('the embedded store in production', () => {
  let root: string;
  let prefix: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'abuse-production-'));
    prefix = `test:${randomUUID()}:`;
  });
  afterEach(async () => {
    await removeKeys(prefix);
    rmSync(root, { recursive: true, force: true });
  });

  /** Everything else production requires, so only the event store decides. */
  const production = async (extra: Record<string, string> = {}) => ({
    NODE_ENV: 'production',
    EVENTSTORE_DATA_DIR: join(root, 'eventstore'),
    EVENTSTORE_EMBEDDED_PORT: '0',
    PERSONAL_DATA_URL: 'postgresql://postgres@127.0.0.1:1/postgres',
    API_KEYS: 'key-1=partner-1:erp',
    OPS_USERNAME: 'ops',
    OPS_PASSWORD: 'a-real-password',
    AUDIT_SIGNING_KEY: AuditSigner.generatePem(),
    HTTP_PORT: String(await freePort()),
    REDIS_KEY_PREFIX: prefix,
    ...extra,
  });

  it.each(['apps/api/src/main.ts', 'apps/worker/src/main.ts'])(
    '%s refuses to start without EVENTSTORE_URL, saying what to set',
    async (entry) => {
      const proc = startTsProcess(entry, await production());
      try {
        expect(await Promise.race([proc.exited, stillRunningAfter(30_000)])).toBe(1);
        expect(proc.output()).toContain(REFUSAL);
        expect(existsSync(join(root, 'eventstore', 'LOCK'))).toBe(false);
      } finally {
        await proc.kill('SIGKILL');
      }
    },
  );

  it('the api refuses to start in production without its audit signing key, saying what to set', async () => {
    const settings = await production({ EVENTSTORE_EMBEDDED: 'true', AUDIT_SIGNING_KEY: '' });
    const api = startTsProcess('apps/api/src/main.ts', settings);
    try {
      expect(await Promise.race([api.exited, stillRunningAfter(60_000)])).toBe(1);
      expect(api.output()).toContain('AUDIT_SIGNING_KEY: required in production');
    } finally {
      await api.kill('SIGKILL');
    }
  });

  it('the api starts on the embedded store when EVENTSTORE_EMBEDDED=true asks for it', async () => {
    const settings = await production({ EVENTSTORE_EMBEDDED: 'true' });
    const api = startTsProcess('apps/api/src/main.ts', settings);
    try {
      await waitForOutput(api, /Nest application successfully started/, 60_000);
      expect(api.output()).toContain('embedded event store listening');
      expect((await fetch(`http://127.0.0.1:${settings.HTTP_PORT}/health/live`)).status).toBe(200);
    } finally {
      await api.kill('SIGTERM');
    }
  });
});
