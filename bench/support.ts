import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Runs `count` tasks with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, concurrency) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

export async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

export function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString('en-US');
}

/** Peak resident set size of a process, from /proc (Linux). */
export function peakRssMb(pid: number = process.pid): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Starts the built embedded store as its own process, as in `npm start`. */
export async function startStoreProcess(dataDir: string): Promise<{ child: ChildProcess; url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'apps', 'eventstore', 'src', 'main.js')], {
    env: { ...process.env, EVENTSTORE_DATA_DIR: dataDir, EVENTSTORE_EMBEDDED_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`store exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = line.match(/listening on ([\d.]+):(\d+)/);
      if (match) resolve(`esdb://${match[1]}:${match[2]}?tls=false`);
    });
  });
  return {
    child,
    url,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Starts a built deployable (dist/apps/<name>/src/main.js) and waits until `ready` resolves. */
export async function startApp(
  name: 'api' | 'worker',
  env: Record<string, string>,
  ready: () => Promise<boolean>,
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, join(__dirname, '..', 'apps', name, 'src', 'main.js')], {
    // A benchmark measures throughput, not the per-key rate limit.
    env: { ...process.env, LOG_LEVEL: 'warn', THROTTLE_LIMIT: '100000000', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (!(await ready().catch(() => false))) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${name} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Readiness of an api listening on `port`. */
export const apiAnswers = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/health/live`)).ok;

export function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))];
}
