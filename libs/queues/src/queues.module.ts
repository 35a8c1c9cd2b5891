import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ConnectionOptions } from 'bullmq';
import { Redis, RedisOptions } from 'ioredis';
import { AppConfig } from '@app/config';
import { ALL_QUEUES } from './queue-names';

/** BullMQ keeps its own key prefix; ioredis keyPrefix is not allowed with it. */
export const bullPrefix = (config: AppConfig) => `${config.get('REDIS_KEY_PREFIX', { infer: true })}bull`;

/**
 * Connections per BullMQ's production advice: producers fail fast (no
 * offline queue, few retries) so an HTTP request or a hand-off notices Redis
 * being down; workers block on Redis and must never give up a command
 * (maxRetriesPerRequest: null).
 */
export function connectionOptions(config: AppConfig, role: 'producer' | 'worker'): RedisOptions {
  const url = new URL(config.get('REDIS_URL', { infer: true }));
  const base: RedisOptions = {
    host: url.hostname,
    port: Number(url.port || 6379),
    password: url.password || undefined,
    username: url.username || undefined,
    tls: url.protocol === 'rediss:' ? {} : undefined,
  };
  return role === 'worker' ? { ...base, maxRetriesPerRequest: null } : { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1 };
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
          useFactory: (config: AppConfig) => ({ connection: connectionOptions(config, role) as ConnectionOptions, prefix: bullPrefix(config) }),
        }),
        BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
      ],
      exports: [BullModule],
    };
  }
}
