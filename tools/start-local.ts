/**
 * `npm start`: the whole system on one machine without Docker. Starts the
 * embedded event store as its own process, then the api and the worker
 * pointed at it, and the local Redis from REDIS_URL. Ctrl-C (or SIGTERM)
 * stops the api and worker first, then the store, so no acknowledged
 * command is cut off.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { validateEnvironment } from '@app/config';

const dist = join(__dirname, '..');
const env = validateEnvironment(process.env);

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<void>;
}

let stopping = false;
const children: Child[] = [];

function run(name: string, entry: string, extraEnv: Record<string, string>, onLine?: (line: string) => void): Child {
  const child = spawn(process.execPath, [join(dist, entry)], { env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout!, child.stderr!]) {
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
  const entryRecord = { name, process: child, exited };
  children.push(entryRecord);
  return entryRecord;
}

async function stopAll(exitCode: number): Promise<never> {
  stopping = true;
  // Reverse start order: api and worker before the store they write to.
  for (const child of [...children].reverse()) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  process.exit(exitCode);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  let eventStoreUrl = env.EVENTSTORE_URL;
  if (!eventStoreUrl) {
    eventStoreUrl = await new Promise<string>((resolve) => {
      run('eventstore', 'apps/eventstore/src/main.js', {}, (line) => {
        const match = line.match(/listening on ([\d.]+):(\d+)/);
        if (match) resolve(`esdb://${match[1]}:${match[2]}?tls=false`);
      });
    });
  }
  run('api', 'apps/api/src/main.js', { EVENTSTORE_URL: eventStoreUrl });
  run('worker', 'apps/worker/src/main.js', { EVENTSTORE_URL: eventStoreUrl });
  process.stdout.write(`[start-local] api on http://127.0.0.1:${env.HTTP_PORT} (docs at /docs), event store at ${eventStoreUrl}\n`);
}

void main();
