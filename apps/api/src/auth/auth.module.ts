import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig } from '@app/config';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeys } from './api-keys';
import { OpsCredentials } from './ops-credentials';

@Global()
@Module({
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
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [OpsCredentials],
})
export class AuthModule {}
