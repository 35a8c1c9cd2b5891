/**
 * `npm start`'s supervisor (tools/start-local.ts), run from source as a real
 * process: with no Redis answering, it starts a redis-server of its own with
 * its data on disk, then the store, the api and the worker, and prints a
 * banner; SIGTERM stops them all. Without redis-server it stops at once with
 * one line naming what to install.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { eventually } from '../support/eventually';
import { freePort, RunningProcess, startTsProcess, waitForOutput } from '../support/processes';

jest.setTimeout(120_000);

async function answers(port: number): Promise<boolean> {
  const redis = new Redis({
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

describe('npm start (tools/start-local.ts)', () => {
  const root = mkdtempSync(join(tmpdir(), 'start-local-'));
  let supervisor: RunningProcess | undefined;
  afterAll(async () => {
    await supervisor?.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  });

  const settings = async () => ({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HTTP_PORT: String(await freePort()),
    HTTP_HOST: '',
    REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    REDIS_DATA_DIR: join(root, 'redis'),
    EVENTSTORE_DATA_DIR: join(root, 'eventstore'),
    EVENTSTORE_EMBEDDED_PORT: '0',
    PERSONAL_DATA_URL: '',
    PERSONAL_DATA_DIR: join(root, 'personal-data'),
  });

  it('starts a redis-server of its own when none answers, then everything else, prints a banner, and stops it all on SIGTERM', async () => {
    const env = await settings();
    const redisPort = Number(new URL(env.REDIS_URL).port);
    supervisor = startTsProcess('tools/start-local.ts', env);
    await waitForOutput(supervisor, /Walk through it/, 90_000);
    const output = supervisor.output();

    const base = `http://127.0.0.1:${env.HTTP_PORT}`;
    for (const expected of [
      `API              ${base}/v1`,
      `OpenAPI          ${base}/docs`,
      `Queue dashboard  ${base}/ops/queues  user ops, password ops (development only)`,
      'Demo API keys    demo-key-contoso, demo-key-fabrikam',
      `Redis            started here, data in ${env.REDIS_DATA_DIR}/`,
      `Contacts         embedded PostgreSQL (PGlite), data in ${env.PERSONAL_DATA_DIR}/`,
      `Event store      embedded, data in ${env.EVENTSTORE_DATA_DIR}/`,
    ]) {
      expect(output).toContain(expected);
    }
    // What the banner says is true: the API answers there, on loopback, with the demo key.
    const catalog = await fetch(`${base}/v1/catalog?limit=1`, { headers: { 'x-api-key': 'demo-key-contoso' } });
    expect(catalog.status).toBe(200);
    expect(await answers(redisPort)).toBe(true);
    // Redis keeps its data (append-only file) where it was told.
    await eventually(
      () => existsSync(join(env.REDIS_DATA_DIR, 'appendonlydir')),
      10_000,
      () => supervisor!.output(),
    );

    expect(await supervisor.kill('SIGTERM')).toBe(0);
    expect(await answers(redisPort)).toBe(false);
  });

  it('stops at once with one line naming redis-server when no Redis answers and none is installed', async () => {
    const env = await settings();
    // A PATH with node alone: no redis-server on it.
    const bin = mkdtempSync(join(root, 'bin-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const refused = startTsProcess('tools/start-local.ts', { ...env, PATH: bin });
    expect(await refused.exited).toBe(1);
    expect(refused.output().trim().split('\n')).toEqual([
      `Redis does not answer on ${env.REDIS_URL} and redis-server is not installed: install Debian's redis-server (apt-get install redis-server), or point REDIS_URL at a running Redis`,
    ]);
  });
});
