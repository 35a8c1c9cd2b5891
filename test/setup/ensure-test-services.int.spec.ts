/**
 * tools/ensure-test-services.sh, the first step of `npm test`: it starts what
 * is installed but not running, and otherwise stops with one line naming
 * what to install. Run for real, as an unprivileged user where it must not
 * install, on ports nothing else uses.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** A copy the unprivileged user can read wherever the checkout is. */
const scriptDir = mkdtempSync(join(tmpdir(), 'ensure-services-'));
chmodSync(scriptDir, 0o755);
const SCRIPT = join(scriptDir, 'ensure-test-services.sh');
copyFileSync(join(__dirname, '../../tools/ensure-test-services.sh'), SCRIPT);
chmodSync(SCRIPT, 0o755);
afterAll(() => rmSync(scriptDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A PATH holding only the plain tools the script uses: no redis-server, no PostgreSQL, no openssl unless asked for. */
function barePath(extra: string[] = []): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bare-path-'));
  chmodSync(dir, 0o755);
  for (const tool of ['bash', 'seq', 'sleep', 'id', 'basename', 'dirname', ...extra]) {
    const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, join(dir, tool));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function runAs(user: 'nobody' | 'root', env: Record<string, string>) {
  const command = user === 'nobody' ? ['/usr/bin/setpriv', [...NOBODY, 'bash', SCRIPT]] : ['bash', [SCRIPT]];
  return spawnSync(command[0] as string, command[1] as string[], {
    env: { ...env, HOME: '/tmp' },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('ensure-test-services.sh', () => {
  it('stops at once, when it may not install, with one line naming every missing package', async () => {
    const path = barePath();
    try {
      const answer = runAs('nobody', {
        PATH: path.dir,
        ENSURE_REDIS_PORT: String(await freePort()),
        ENSURE_POSTGRES_PORT: String(await freePort()),
        ENSURE_CHROMIUM: '/nonexistent/chromium',
      });
      expect(answer.status).toBe(1);
      expect(answer.stdout).toBe('');
      expect(answer.stderr.trimEnd().split('\n')).toEqual([
        "The tests need Debian's redis-server postgresql chromium openssl: install with 'apt-get install -y redis-server postgresql chromium openssl' (as root), then run npm test again.",
      ]);
    } finally {
      path.remove();
    }
  });

  it('names PostgreSQL alone when it is installed but not running and it may not start it', async () => {
    const path = barePath(['redis-server', 'pg_ctlcluster', 'openssl']);
    const chromium = join(path.dir, 'chromium');
    writeFileSync(chromium, '#!/bin/sh\n', { mode: 0o755 });
    const redisPort = await freePort();
    try {
      const answer = runAs('nobody', {
        PATH: path.dir,
        ENSURE_REDIS_PORT: String(redisPort),
        ENSURE_POSTGRES_PORT: String(await freePort()),
        ENSURE_CHROMIUM: chromium,
      });
      expect(answer.status).toBe(1);
      expect(answer.stderr.trimEnd().split('\n')).toEqual([
        "PostgreSQL is installed but not running: start it with 'service postgresql start' (as root), then run npm test again.",
      ]);
    } finally {
      spawnSync('redis-cli', ['-p', String(redisPort), 'shutdown', 'nosave']);
      path.remove();
    }
  });

  it('starts an installed redis-server that is not running, and then succeeds', async () => {
    const path = barePath(['redis-server', 'openssl']);
    const chromium = join(path.dir, 'chromium');
    writeFileSync(chromium, '#!/bin/sh\n', { mode: 0o755 });
    const redisPort = await freePort();
    try {
      const answer = runAs('nobody', {
        PATH: path.dir,
        ENSURE_REDIS_PORT: String(redisPort),
        ENSURE_POSTGRES_PORT: '5432',
        ENSURE_CHROMIUM: chromium,
      });
      expect({ status: answer.status, stderr: answer.stderr }).toEqual({ status: 0, stderr: '' });
      expect(answer.stdout).toContain(`starting redis-server on 127.0.0.1:${redisPort}`);
      const redis = new Redis({ port: redisPort, lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        await redis.connect();
        expect(await redis.ping()).toBe('PONG');
      } finally {
        redis.disconnect();
      }
    } finally {
      spawnSync('redis-cli', ['-p', String(redisPort), 'shutdown', 'nosave']);
      path.remove();
    }
  });

  it('names the fix when PostgreSQL answers but does not let postgres in without a password', async () => {
    // Something listens on the port but is no PostgreSQL that lets us in.
    const impostor = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const path = barePath(['psql', 'redis-server', 'openssl']);
    const chromium = join(path.dir, 'chromium');
    writeFileSync(chromium, '#!/bin/sh\n', { mode: 0o755 });
    try {
      const port = (impostor.address() as { port: number }).port;
      const answer = runAs('nobody', {
        PATH: path.dir,
        ENSURE_REDIS_PORT: '6379',
        ENSURE_POSTGRES_PORT: String(port),
        ENSURE_CHROMIUM: chromium,
      });
      expect(answer.status).toBe(1);
      expect(answer.stderr.trimEnd().split('\n')).toEqual([
        `PostgreSQL on 127.0.0.1:${port} does not let user postgres in without a password: add 'host all all 127.0.0.1/32 trust' to its pg_hba.conf (tests only), reload it, then run npm test again.`,
      ]);
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
      path.remove();
    }
  });

  it('does nothing, quietly, when everything is there and running', () => {
    // This machine's own services: the state every other test relies on.
    const answer = runAs('nobody', { PATH: process.env.PATH! });
    expect({ status: answer.status, stdout: answer.stdout, stderr: answer.stderr }).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });
});
