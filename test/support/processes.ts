import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs a TypeScript entry point of this repo as a real process, the way the
 * fault tests need it: separately killable, with its own memory.
 */
export function startTsProcess(entry: string, env: Record<string, string>, args: string[] = []): RunningProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return running(child);
}

function running(child: ChildProcess): RunningProcess {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    child,
    output: () => output,
    exited,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until the process prints a line matching `pattern`, failing if it exits first. */
export async function waitForOutput(
  proc: RunningProcess,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = proc.output().match(pattern);
    if (match) return match;
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`process exited before printing ${pattern}:\n${proc.output()}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Starts the embedded store as its own process and returns its connection
 * string. A fixed port lets a test restart it where its clients expect it.
 */
export async function startStoreProcess(
  dataDir: string,
  port = 0,
  env: Record<string, string> = {},
): Promise<{ proc: RunningProcess; connectionString: string }> {
  const proc = startTsProcess('apps/eventstore/src/main.ts', {
    EVENTSTORE_DATA_DIR: dataDir,
    EVENTSTORE_EMBEDDED_PORT: String(port),
    ...env,
  });
  const [, host, listening] = await waitForOutput(proc, /listening on ([\d.]+):(\d+)/);
  return { proc, connectionString: `esdb://${host}:${listening}?tls=false` };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of the test's own on `port`, so restarting it disturbs no
 * one else. Append-only file with fsync on every write, as a production
 * Redis behind BullMQ is configured: a restart loses no acknowledged job.
 */
export async function startRedisServer(port: number, dir: string, extraArgs: string[] = []): Promise<RunningProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      ...extraArgs,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const proc = running(child);
  await waitForOutput(proc, /Ready to accept connections/);
  return proc;
}

/** A port free now whose cluster bus port (port + 10000) is free too. */
export async function freeClusterPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await free(port)) && (await free(port + 10_000))) return port;
  }
}
