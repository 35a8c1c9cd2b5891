import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * What workers tell the api through Redis, since they serve no HTTP:
 * heartbeats (is anyone consuming?) and cumulative counters for /metrics.
 */
// One hash, a field per worker: readiness reads it with one HGETALL, never a SCAN of the keyspace.
const HEARTBEATS = 'workers:heartbeats';
const HEARTBEAT_TTL_MS = 15_000;
/** The counters share the hash tag `{metrics}`, so one transaction can bump several on a Redis Cluster. */
export const JOB_COUNTER = (queue: string, outcome: 'completed' | 'failed') =>
  `metrics:{metrics}:jobs:${queue}:${outcome}`;
export const DISCOUNT_RECORDS_COUNTER = 'metrics:{metrics}:discount:records';

export interface Heartbeat {
  worker: string;
  pid: number;
  queues: string[];
  /** False when the worker's BullMQ workers are closed or paused. */
  consuming: boolean;
  at: string;
}

export function startHeartbeat(
  redis: Redis,
  describe: () => Omit<Heartbeat, 'worker' | 'pid' | 'at'>,
): () => Promise<void> {
  const worker = randomUUID();
  const beat = (): void =>
    void redis
      .hset(
        HEARTBEATS,
        worker,
        JSON.stringify({ worker, pid: process.pid, at: new Date().toISOString(), ...describe() }),
      )
      .catch(() => undefined);
  void beat();
  const timer = setInterval(beat, HEARTBEAT_TTL_MS / 3);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis.hdel(HEARTBEATS, worker).catch(() => undefined);
  };
}

/** Workers whose last heartbeat is recent. Long-silent ones (killed without a goodbye) are removed from the hash. */
export async function liveWorkers(redis: Redis): Promise<Heartbeat[]> {
  const beats = Object.values(await redis.hgetall(HEARTBEATS)).map((value) => JSON.parse(value) as Heartbeat);
  const age = (beat: Heartbeat) => Date.now() - Date.parse(beat.at);
  const gone = beats.filter((beat) => age(beat) > 4 * HEARTBEAT_TTL_MS);
  if (gone.length > 0) await redis.hdel(HEARTBEATS, ...gone.map((beat) => beat.worker));
  return beats.filter((beat) => age(beat) <= HEARTBEAT_TTL_MS);
}
