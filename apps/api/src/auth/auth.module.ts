import { Global, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerModule } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeys } from './api-keys';
import { OpsCredentials } from './ops-credentials';
import { OpsGate } from './ops-gate';
import { PerApiKeyThrottlerGuard } from './rate-limit';
import { RedactPersonalData } from './redaction';
import { RoleGuard } from './role.guard';

/** Reads API_KEYS_FILE (and API_KEYS) again on SIGHUP: keys are rotated without a restart. A bad file keeps the keys as they were. */
class ReloadKeysOnSighup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeys');
  private readonly onSighup = () => {
    try {
      this.logger.log(`API keys read again on SIGHUP: ${this.keys.reload()} keys`);
    } catch (error) {
      this.logger.error(`API keys not changed: ${(error as Error).message}`);
    }
  };

  constructor(private readonly keys: ApiKeys) {}

  onApplicationBootstrap(): void {
    process.on('SIGHUP', this.onSighup);
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onSighup);
  }
}

@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [ConfigService, Redis],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: [
          {
            limit: config.get('THROTTLE_LIMIT', { infer: true }),
            ttl: config.get('THROTTLE_WINDOW_MS', { infer: true }),
          },
        ],
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
    { provide: ReloadKeysOnSighup, inject: [ApiKeys], useFactory: (keys: ApiKeys) => new ReloadKeysOnSighup(keys) },
    // Guards run in this order: identify the caller, count its requests, then check its role.
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: PerApiKeyThrottlerGuard },
    { provide: APP_GUARD, useClass: RoleGuard },
    { provide: APP_INTERCEPTOR, useClass: RedactPersonalData },
  ],
  exports: [ApiKeys, OpsCredentials, OpsGate],
})
export class AuthModule {}
