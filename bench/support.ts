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

/** With BENCH_CPU_PROFILE=<dir>, every process a bench starts writes a V8 CPU profile there on exit. */
const cpuProfileFlags = () =>
  process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];

/** Starts the built embedded store as its own process, as in `npm start`. */
export async function startStoreProcess(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [...cpuProfileFlags(), join(__dirname, '..', 'apps', 'eventstore', 'src', 'main.js')],
    {
      env: { ...process.env, EVENTSTORE_DATA_DIR: dataDir, EVENTSTORE_EMBEDDED_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`store exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
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
  const child = spawn(process.execPath, [...cpuProfileFlags(), join(__dirname, '..', 'apps', name, 'src', 'main.js')], {
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

/** What the raw store and Redis do on this machine, measured in the same run as a benchmark's own figures. */
export interface Limits {
  /** Official client, batch of 1, 50 in flight, fsync per append. */
  storeAppendsPerSecond: number;
  /** Official client reading $all from the start. */
  storeReadsPerSecond: number;
  /** ioredis, one SET per round trip, 50 in flight. */
  redisCommandsPerSecond: number;
  /** ioredis, MULTI/EXEC transactions of 100 SETs, 8 in flight. */
  redisPipelinedWritesPerSecond: number;
}

/**
 * Drives the store at `storeUrl` and the Redis at `redisUrl` with no code of
 * ours in between, in streams and keys of their own, so a benchmark can
 * state its figures as a share of what the machine allows.
 */
export async function measureLimits(storeUrl: string, redisUrl = 'redis://127.0.0.1:6379'): Promise<Limits> {
  const { EventStoreDBClient, jsonEvent } = await import('@eventstore/db-client');
  const { Redis } = await import('ioredis');
  const { randomUUID } = await import('node:crypto');
  const client = EventStoreDBClient.connectionString(storeUrl);
  const prefix = `bench-limits:${randomUUID()}:`;
  const redis = new Redis(redisUrl, { keyPrefix: prefix });
  try {
    const APPENDS = 5_000;
    const appends = await timed(() =>
      pool(APPENDS, 50, (i) => client.appendToStream(`limits-${i % 50}`, jsonEvent({ type: 'Raw', data: { i } }))),
    );
    const reads = await timed(async () => {
      let n = 0;
      for await (const _ of client.readAll()) n++;
      return n;
    });
    const COMMANDS = 50_000;
    const commands = await timed(() => pool(COMMANDS, 50, (i) => redis.set(`k${i % 1_000}`, String(i))));
    const TRANSACTIONS = 1_000;
    const pipelined = await timed(() =>
      pool(TRANSACTIONS, 8, (t) => {
        const multi = redis.multi();
        for (let i = 0; i < 100; i++) multi.set(`p${(t * 100 + i) % 10_000}`, String(i));
        return multi.exec();
      }),
    );
    return {
      storeAppendsPerSecond: APPENDS / appends.seconds,
      storeReadsPerSecond: reads.result / reads.seconds,
      redisCommandsPerSecond: COMMANDS / commands.seconds,
      redisPipelinedWritesPerSecond: (TRANSACTIONS * 100) / pipelined.seconds,
    };
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
    await redis.quit();
    await client.dispose();
  }
}

/** The limits as table rows, to print before a benchmark's ratios. */
export function limitRows(limits: Limits): Array<[string, string]> {
  return [
    [
      'limit: raw store appends, batch 1, 50 in flight (official client)',
      `${Math.round(limits.storeAppendsPerSecond).toLocaleString('en-US')} appends/s`,
    ],
    [
      'limit: raw store $all read (official client)',
      `${Math.round(limits.storeReadsPerSecond).toLocaleString('en-US')} events/s`,
    ],
    [
      'limit: Redis SET round trips, 50 in flight',
      `${Math.round(limits.redisCommandsPerSecond).toLocaleString('en-US')} commands/s`,
    ],
    [
      'limit: Redis MULTI/EXEC of 100 SETs, 8 in flight',
      `${Math.round(limits.redisPipelinedWritesPerSecond).toLocaleString('en-US')} writes/s`,
    ],
  ];
}

export const ratio = (figure: number, limit: number) => (figure / limit).toFixed(figure / limit < 0.1 ? 3 : 2);
