import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerModule } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeys } from './api-keys';
import { OpsCredentials } from './ops-credentials';
import { OpsGate } from './ops-gate';
import { PerApiKeyThrottlerGuard } from './rate-limit';

@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [ConfigService, Redis],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: [{ limit: config.get('THROTTLE_LIMIT', { infer: true }), ttl: config.get('THROTTLE_WINDOW_MS', { infer: true }) }],
        // Counters live in the shared Redis, so the limit holds across API replicas.
        storage: new ThrottlerStorageRedisService(redis),
      }),
    }),
  ],
  providers: [
    {
      provide: ApiKeys,
      inject: [ConfigService],
      useFactory: (config: AppConfig) =>
        ApiKeys.fromEnvironment({
          API_KEYS: config.get('API_KEYS', { infer: true }),
          API_KEYS_FILE: config.get('API_KEYS_FILE', { infer: true }),
          NODE_ENV: config.get('NODE_ENV', { infer: true }),
        }),
    },
    {
      provide: OpsCredentials,
      inject: [ConfigService],
      useFactory: (config: AppConfig) =>
        OpsCredentials.fromEnvironment({
          OPS_USERNAME: config.get('OPS_USERNAME', { infer: true }),
          OPS_PASSWORD: config.get('OPS_PASSWORD', { infer: true }),
          NODE_ENV: config.get('NODE_ENV', { infer: true }),
        }),
    },
    OpsGate,
    // Guards run in this order: identify the caller, then count its requests.
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: PerApiKeyThrottlerGuard },
  ],
  exports: [ApiKeys, OpsCredentials, OpsGate],
})
export class AuthModule {}
