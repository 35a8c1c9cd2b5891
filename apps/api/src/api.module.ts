import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { appConfigModule } from '@app/config';
import { EventStoreModule } from '@app/eventstore';
import { LoggingModule } from '@app/logging';
import { ProjectionsModule } from '@app/projections';
import { QueuesModule } from '@app/queues';
import { RedisModule } from '@app/redis';
import { AuthModule } from './auth/auth.module';
import { HealthModule } from './health/health.module';
import { DomainErrorFilter } from './http/error-responses';
import { QueueDashboardModule } from './operations/queue-dashboard.module';
import { OrderingModule } from './ordering.module';

@Module({
  imports: [
    appConfigModule(),
    LoggingModule,
    EventStoreModule,
    RedisModule,
    ProjectionsModule.forRoot({ runByDefault: false }),
    QueuesModule.register('producer'),
    AuthModule,
    QueueDashboardModule,
    HealthModule,
    OrderingModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: DomainErrorFilter }],
})
export class ApiModule {}
