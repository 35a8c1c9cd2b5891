import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Cluster, Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { connectRedis, isCluster, RedisTopology } from './redis-connection';

/** Where Redis is, from the validated settings. */
export const topologyOf = (config: AppConfig): RedisTopology => ({
  REDIS_URL: config.get('REDIS_URL', { infer: true }),
  REDIS_CLUSTER_NODES: config.get('REDIS_CLUSTER_NODES', { infer: true }),
  REDIS_SENTINELS: config.get('REDIS_SENTINELS', { infer: true }),
  REDIS_SENTINEL_NAME: config.get('REDIS_SENTINEL_NAME', { infer: true }),
});

/**
 * The process's general-purpose Redis client (views, checkpoints, idempotency).
 * It fails fast: a command issued while Redis is down errors after a couple of
 * retries instead of hanging the HTTP request that issued it.
 */
@Global()
@Module({
  providers: [
    {
      provide: Redis,
      inject: [ConfigService],
      useFactory: (config: AppConfig) =>
        connectRedis(topologyOf(config), {
          maxRetriesPerRequest: 2,
          connectionName: 'app',
          keyPrefix: config.get('REDIS_KEY_PREFIX', { infer: true }),
        }),
    },
  ],
  exports: [Redis],
})
export class RedisModule implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(@Inject(Redis) private readonly redis: Redis) {
    redis.on('error', (error: Error) => this.logger.warn(`redis connection error: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * A connection of its own, with the same settings. Its errors are handled:
 * an unhandled ioredis error event would be printed raw to stderr on every
 * reconnect attempt. The users of such a connection already log the failures
 * that matter to them.
 */
export function dedicatedConnection(redis: Redis, name: string, logger: Pick<Logger, 'debug'>): Redis {
  const connection = isCluster(redis)
    ? ((redis as unknown as Cluster).duplicate(undefined, {
        redisOptions: { ...(redis as unknown as Cluster).options.redisOptions, connectionName: name },
      }) as unknown as Redis)
    : redis.duplicate({ connectionName: name });
  connection.on('error', (error: Error) => logger.debug(`redis connection ${name}: ${error.message}`));
  return connection;
}
