/**
 * `npm start`: the whole system on one machine without Docker. Starts a
 * local redis-server when none answers on REDIS_URL, the embedded event
 * store as its own process, then the api and the worker pointed at both.
 * Contacts go to the embedded PostgreSQL unless PERSONAL_DATA_URL is set.
 * Ctrl-C (or SIGTERM) stops the api and worker first, then the store, then
 * Redis, so no acknowledged command is cut off.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join, resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { validateEnvironment } from '@app/config';
import { embeddedConnectionString, parseUsers } from '@app/eventstore-server';

/** Built, this runs from dist/ and starts .js entries; from source (tests), .ts entries through swc. */
const fromSource = __filename.endsWith('.ts');
const root = join(__dirname, '..');
const env = (() => {
  try {
    return validateEnvironment(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
})();

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<void>;
}

let stopping = false;
const children: Child[] = [];

/** Stops here, with one line saying what is missing. */
function refuse(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

function run(
  name: string,
  command: string,
  args: string[],
  extraEnv: Record<string, string>,
  onLine?: (line: string) => void,
): Child {
  const child = spawn(command, args, { env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`[${name}] ${line}\n`);
      onLine?.(line);
    });
  }
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(`[start-local] ${name} exited unexpectedly (${code ?? signal}); stopping everything\n`);
        void stopAll(1);
      }
      resolve();
    }),
  );
  const entry = { name, process: child, exited };
  children.push(entry);
  return entry;
}

/** One of our own deployables, built or from source. */
function runApp(name: string, entry: string, extraEnv: Record<string, string>, onLine?: (line: string) => void): Child {
  const args = fromSource ? ['-r', '@swc-node/register', join(root, `${entry}.ts`)] : [join(root, `${entry}.js`)];
  return run(name, process.execPath, args, extraEnv, onLine);
}

async function stopAll(exitCode: number): Promise<never> {
  stopping = true;
  // Reverse start order: api and worker before the store and Redis they write to.
  for (const child of [...children].reverse()) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  process.exit(exitCode);
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
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

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return join(dir, binary);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A redis-server of our own when none answers: persistent (AOF) and never evicting, as BullMQ needs. */
async function ensureRedis(): Promise<string | undefined> {
  if (await redisAnswers(env.REDIS_URL)) return undefined;
  const url = new URL(env.REDIS_URL);
  const shown = `${url.protocol}//${url.host}`;
  if (!['127.0.0.1', 'localhost'].includes(url.hostname))
    refuse(
      `Redis does not answer on ${shown}: start it, or unset REDIS_URL to have npm start run a local redis-server`,
    );
  const binary = onPath('redis-server');
  if (!binary)
    refuse(
      `Redis does not answer on ${shown} and redis-server is not installed: install Debian's redis-server (apt-get install redis-server), or point REDIS_URL at a running Redis`,
    );
  const dataDir = resolvePath(env.REDIS_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    url.port || '6379',
    '--dir',
    dataDir,
    '--appendonly',
    'yes',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--loglevel',
    'warning',
  ];
  run('redis', binary, args, {});
  for (let i = 0; i < 100 && !(await redisAnswers(env.REDIS_URL)); i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
  if (!(await redisAnswers(env.REDIS_URL)))
    refuse(`redis-server did not answer on ${shown} after starting it (see its lines above)`);
  return dataDir;
}

async function waitForApi(base: string): Promise<void> {
  for (;;) {
    if (stopping) return;
    const ok = await fetch(`${base}/health/live`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A local system is an integration environment: the sandbox clock is on
 * unless SANDBOX_CLOCK says otherwise, so `npm run demo` can move time.
 */
const sandboxClock = process.env.SANDBOX_CLOCK === undefined ? env.NODE_ENV !== 'production' : env.SANDBOX_CLOCK;

function banner(base: string, redisDir: string | undefined): string {
  const demoKeys = !env.API_KEYS && !env.API_KEYS_FILE && env.NODE_ENV !== 'production';
  const ops = env.OPS_USERNAME ? 'OPS_USERNAME / OPS_PASSWORD' : 'user ops, password ops (development only)';
  const rows: Array<[string, string]> = [
    ['API', `${base}/v1  (x-api-key header)`],
    ['OpenAPI', `${base}/docs`],
    ['Queue dashboard', `${base}/ops/queues  ${ops}`],
    ['Projections', `${base}/ops/projections  same credentials`],
    ['Demo API keys', demoKeys ? 'demo-key-contoso, demo-key-fabrikam' : 'from API_KEYS / API_KEYS_FILE'],
    ['Event store', env.EVENTSTORE_URL ? env.EVENTSTORE_URL : `embedded, data in ${env.EVENTSTORE_DATA_DIR}/`],
    [
      'Redis',
      redisDir ? `started here, data in ${env.REDIS_DATA_DIR}/` : `${new URL(env.REDIS_URL).host} (already running)`,
    ],
    [
      'Contacts',
      env.PERSONAL_DATA_URL
        ? 'PostgreSQL at PERSONAL_DATA_URL'
        : `embedded PostgreSQL (PGlite), data in ${env.PERSONAL_DATA_DIR}/`,
    ],
    [
      'Sandbox clock',
      sandboxClock
        ? `on: ${base}/v1/sandbox/clock moves time (SANDBOX_CLOCK=false turns it off)`
        : 'off: the system clock',
    ],
    ['Walk through it', 'npm run demo   (Ctrl-C here stops everything)'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    '',
    'Reservation orders is running',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const redisDir = await ensureRedis();
  // The children write to pipes here; a person at a terminal still gets readable lines.
  const logFormat: Record<string, string> =
    !env.LOG_FORMAT && process.stdout.isTTY && env.NODE_ENV !== 'production' ? { LOG_FORMAT: 'pretty' } : {};
  let eventStoreUrl = env.EVENTSTORE_URL;
  if (!eventStoreUrl) {
    eventStoreUrl = await new Promise<string>((resolve) => {
      runApp('eventstore', 'apps/eventstore/src/main', logFormat, (line) => {
        const match = line.match(/listening on ([\d.]+):(\d+)/);
        if (!match) return;
        // As the store's first user, over TLS, when it has users.
        const user = parseUsers(env.EVENTSTORE_EMBEDDED_USERS)[0];
        resolve(
          embeddedConnectionString({
            host: match[1],
            port: Number(match[2]),
            user,
            caFile: env.EVENTSTORE_EMBEDDED_TLS_CERT_FILE,
          }),
        );
      });
    });
  }
  const clock = { SANDBOX_CLOCK: String(sandboxClock) };
  runApp('api', 'apps/api/src/main', { EVENTSTORE_URL: eventStoreUrl, ...clock, ...logFormat });
  runApp('worker', 'apps/worker/src/main', { EVENTSTORE_URL: eventStoreUrl, ...clock, ...logFormat });

  const host = env.HTTP_HOST === '0.0.0.0' || env.HTTP_HOST === '::' ? '127.0.0.1' : env.HTTP_HOST;
  const base = `http://${host}:${env.HTTP_PORT}`;
  await waitForApi(base);
  if (!stopping) process.stdout.write(`${banner(base, redisDir)}\n`);
}

void main();
