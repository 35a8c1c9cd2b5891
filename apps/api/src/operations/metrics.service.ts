import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@app/clock';
import { EventStore } from '@app/eventstore-client';
import { isCluster } from '@app/redis';
import { Queue } from 'bullmq';
import { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { Cluster, Redis } from 'ioredis';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ApiKeys } from '../auth/api-keys';
import { IdempotencyBudget } from '../budgets/idempotency-budget';
import { UsageBudget } from '../budgets/usage-budget';
import { routePattern } from '../http/route-pattern';
import { fullest, redisMemoryOf } from './redis-memory';
import { ALL_PROJECTIONS, measureLag, ViewReader } from '@app/projections';
import { DELIVERY_COUNTER, UNDELIVERED } from '@app/webhooks';
import {
  ALL_QUEUES,
  DISCOUNT_QUEUE,
  DISCOUNT_RECORDS_COUNTER,
  FULFILMENT_DEAD_LETTER_QUEUE,
  FULFILMENT_QUEUE,
  JOB_COUNTER,
  liveWorkers,
} from '@app/queues';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/**
 * Prometheus metrics of the whole system. Workers have no HTTP; they keep
 * cumulative counters in Redis, read here at scrape time, as are queue depths
 * and projection lag.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly commands = new Counter({
    name: 'commands_handled_total',
    help: 'Commands handled over HTTP, by route and outcome',
    labelNames: ['command', 'outcome'],
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, from arrival to the last byte of the answer',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(
    @Inject(Redis) redis: Redis,
    views: ViewReader,
    store: EventStore,
    @InjectQueue(FULFILMENT_QUEUE) fulfilment: Queue,
    @InjectQueue(FULFILMENT_DEAD_LETTER_QUEUE) deadLetters: Queue,
    @InjectQueue(DISCOUNT_QUEUE) discount: Queue,
    keys: ApiKeys,
    usageBudget: UsageBudget,
    idempotencyBudget: IdempotencyBudget,
    clock: Clock,
  ) {
    collectDefaultMetrics({ register: this.registry });
    // One series per configured partner and budget: the partners come from the keys, never from requests, so they are bounded.
    new Gauge({
      name: 'partner_budget_used_ratio',
      help: 'Share of each partner’s budget in Redis in use (1 = full: new entries answer 429): usage_records, idempotency_keys, cached_response_bytes',
      labelNames: ['partner', 'budget'],
      registers: [this.registry],
      async collect() {
        const now = await clock.now();
        for (const partner of keys.partnerIds()) {
          const [usage, idempotency] = await Promise.all([
            usageBudget.used(partner, now),
            idempotencyBudget.used(partner),
          ]);
          this.set({ partner, budget: 'usage_records' }, usage.records / usageBudget.limit);
          this.set({ partner, budget: 'idempotency_keys' }, idempotency.entries / idempotencyBudget.entriesLimit);
          this.set({ partner, budget: 'cached_response_bytes' }, idempotency.bytes / idempotencyBudget.bytesLimit);
        }
      },
    });
    // Of a cluster, the fullest master: each has its own maxmemory, and the first to fill refuses writes. Both gauges share one INFO per scrape.
    let read: { at: number; memory: Promise<{ used: number; max: number }> } | undefined;
    const memory = () => {
      if (!read || Date.now() - read.at > 1_000) {
        const servers = isCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];
        read = {
          at: Date.now(),
          memory: Promise.all(servers.map(async (server) => redisMemoryOf(await server.info('memory')))).then(fullest),
        };
      }
      return read.memory;
    };
    new Gauge({
      name: 'redis_memory_used_bytes',
      help: 'Memory Redis uses (INFO memory used_memory); of a cluster, the fullest master’s',
      registers: [this.registry],
      async collect() {
        this.set((await memory()).used);
      },
    });
    new Gauge({
      name: 'redis_memory_max_bytes',
      help: 'Redis maxmemory (0: no limit); under noeviction, writes fail past it',
      registers: [this.registry],
      async collect() {
        this.set((await memory()).max);
      },
    });
    const queues = [fulfilment, deadLetters, discount];
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs per queue and state; waiting + delayed is the queue depth',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        for (const queue of queues) {
          const counts = await queue.getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting in a queue; 0 when none waits',
      labelNames: ['queue'],
      registers: [this.registry],
      async collect() {
        for (const queue of queues) {
          const [oldest] = await queue.getWaiting(0, 0);
          this.set({ queue: queue.name }, oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0);
        }
      },
    });
    new Gauge({
      name: 'workers_consuming',
      help: 'Worker processes with a recent heartbeat whose queue consumers run',
      registers: [this.registry],
      async collect() {
        this.set((await liveWorkers(redis)).filter((worker) => worker.consuming).length);
      },
    });
    const processed = new Counter({
      name: 'jobs_processed_total',
      help: 'Jobs the workers completed or failed (each failed attempt counts)',
      labelNames: ['queue', 'outcome'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of ALL_QUEUES) {
          for (const outcome of ['completed', 'failed'] as const)
            this.inc({ queue, outcome }, Number((await redis.get(JOB_COUNTER(queue, outcome))) ?? 0));
        }
      },
    });
    void processed;
    new Counter({
      name: 'discount_records_total',
      help: 'Usage records discounted; rate() of it is records per second',
      registers: [this.registry],
      async collect() {
        this.reset();
        this.inc(Number((await redis.get(DISCOUNT_RECORDS_COUNTER)) ?? 0));
      },
    });
    new Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook deliveries by outcome: delivered (a 2xx), failed (the retry schedule exhausted, or refused), attempt_failed (each failed attempt)',
      labelNames: ['outcome'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const outcome of ['delivered', 'failed', 'attempt_failed'] as const)
          this.inc({ outcome }, Number((await redis.get(DELIVERY_COUNTER(outcome))) ?? 0));
      },
    });
    new Gauge({
      name: 'webhook_oldest_undelivered_seconds',
      help: 'Age of the oldest webhook delivery neither delivered nor given up; 0 when none',
      registers: [this.registry],
      async collect() {
        const [, score] = await redis.zrange(UNDELIVERED, '0', '0', 'WITHSCORES');
        this.set(score === undefined ? 0 : Math.max(0, (Date.now() - Number(score)) / 1000));
      },
    });
    // Both lag gauges are collected in the same scrape: measure once and share it.
    let measured:
      { at: number; lags: Promise<Array<{ name: string; lag: Awaited<ReturnType<typeof measureLag>> }>> } | undefined;
    const lags = () => {
      if (!measured || Date.now() - measured.at > 1_000) {
        measured = {
          at: Date.now(),
          lags: Promise.all(
            ALL_PROJECTIONS.map(async (projection) => ({
              name: projection.name,
              lag: await measureLag(store, views, projection),
            })),
          ),
        };
      }
      return measured.lags;
    };
    new Gauge({
      name: 'projection_lag_events',
      help: 'Events a projection has not applied yet',
      labelNames: ['projection'],
      registers: [this.registry],
      async collect() {
        for (const { name, lag } of await lags()) this.set({ projection: name }, lag.eventsBehind);
      },
    });
    new Gauge({
      name: 'projection_lag_seconds',
      help: 'Age of the oldest event a projection has not applied yet',
      labelNames: ['projection'],
      registers: [this.registry],
      async collect() {
        for (const { name, lag } of await lags()) this.set({ projection: name }, lag.secondsBehind);
      },
    });
  }
}

/**
 * A Fastify hook, last in the chain: times every request from Fastify's own
 * start of it (`reply.elapsedTime`), including those answered before Nest's
 * router (a missing key, a body too large). The route is the pattern
 * (`/v1/carts/:cartId`), never the raw path, so the number of series stays
 * small.
 */
export function timeRequests(metrics: Metrics) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    // The dashboard's routes are its own: one label for all of it.
    const route = request.url.startsWith('/ops/queues') ? '/ops/queues' : (routePattern(request) ?? 'unmatched');
    metrics.requestDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  };
}
