import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ConnectionOptions } from 'bullmq';
import { Redis, RedisOptions } from 'ioredis';
import { AppConfig } from '@app/config';
import { connectRedis, topologyOf, urlOptions } from '@app/redis';
import { ALL_QUEUES } from './queue-names';

/**
 * BullMQ keeps its own key prefix (ioredis keyPrefix is not allowed with
 * it). It is a `{…}` hash tag, as BullMQ requires on a Redis Cluster: every
 * key of the queues then sits on one slot.
 */
export const queuePrefix = (keyPrefix: string) => `{${keyPrefix}bull}`;
const bullPrefix = (config: AppConfig) => queuePrefix(config.get('REDIS_KEY_PREFIX', { infer: true }));

/**
 * Connections per BullMQ's production advice: producers fail fast (no
 * offline queue, few retries) so an HTTP request or a hand-off notices Redis
 * being down; workers block on Redis and must never give up a command
 * (maxRetriesPerRequest: null).
 */
export function connectionOptions(role: 'producer' | 'worker'): RedisOptions {
  return role === 'worker' ? { maxRetriesPerRequest: null } : { enableOfflineQueue: false, maxRetriesPerRequest: 1 };
}

/** The queues' connection: options for one server, or a client of its own for a cluster or Sentinel, which BullMQ duplicates as it needs. */
export function queueConnection(config: AppConfig, role: 'producer' | 'worker'): ConnectionOptions {
  const topology = topologyOf(config);
  if (topology.REDIS_CLUSTER_NODES || topology.REDIS_SENTINELS) return connectRedis(topology, connectionOptions(role));
  return { ...urlOptions(topology.REDIS_URL), ...connectionOptions(role) } as ConnectionOptions;
}

/** BullMQ loses jobs when Redis evicts keys; say so loudly at start. */
export async function warnUnlessNoEviction(redis: Redis, logger = new Logger('Queues')): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      logger.warn(`Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" or queued jobs may be evicted`);
    }
  } catch (error) {
    logger.warn(`could not read Redis maxmemory-policy (${(error as Error).message}); make sure it is "noeviction"`);
  }
}

@Module({})
export class QueuesModule {
  /** The queues as producers; the worker app adds the processors. */
  static register(role: 'producer' | 'worker'): DynamicModule {
    return {
      module: QueuesModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: AppConfig) => ({
            connection: queueConnection(config, role),
            prefix: bullPrefix(config),
          }),
        }),
        BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
      ],
      exports: [BullModule],
    };
  }
}
