import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { scanKeys } from '@app/redis';

/**
 * What workers tell the api through Redis, since they serve no HTTP:
 * heartbeats (is anyone consuming?) and cumulative counters for /metrics.
 */
const HEARTBEAT = 'workers:alive:';
const HEARTBEAT_TTL_MS = 15_000;
export const JOB_COUNTER = (queue: string, outcome: 'completed' | 'failed') => `metrics:jobs:${queue}:${outcome}`;
export const DISCOUNT_RECORDS_COUNTER = 'metrics:discount:records';

export interface Heartbeat {
  worker: string;
  pid: number;
  queues: string[];
  /** False when the worker's BullMQ workers are closed or paused. */
  consuming: boolean;
  at: string;
}

export function startHeartbeat(redis: Redis, describe: () => Omit<Heartbeat, 'worker' | 'pid' | 'at'>): () => Promise<void> {
  const worker = randomUUID();
  const key = `${HEARTBEAT}${worker}`;
  const beat = () =>
    redis
      .set(key, JSON.stringify({ worker, pid: process.pid, at: new Date().toISOString(), ...describe() }), 'PX', HEARTBEAT_TTL_MS)
      .catch(() => undefined);
  void beat();
  const timer = setInterval(beat, HEARTBEAT_TTL_MS / 3);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis.del(key).catch(() => undefined);
  };
}

export async function liveWorkers(redis: Redis): Promise<Heartbeat[]> {
  const keys = await scanKeys(redis, `${HEARTBEAT}*`);
  const values = keys.length ? await redis.mget(keys) : [];
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as Heartbeat);
}
