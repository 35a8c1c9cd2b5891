import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { ProjectionsModule } from '@app/projections';
import { infrastructureModules } from '@app/runtime';
import { QueuesModule } from '@app/queues';
import { AuthModule } from './auth/auth.module';
import { HealthModule } from './health/health.module';
import { DomainErrorFilter, HttpErrorFilter, UnexpectedErrorFilter } from './http/error-responses';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { QueueDashboardModule } from './operations/queue-dashboard.module';
import { OrderingModule } from './ordering.module';

@Module({
  imports: [
    ...infrastructureModules(),
    ProjectionsModule.forRoot({ runByDefault: false }),
    QueuesModule.register('producer'),
    AuthModule,
    QueueDashboardModule,
    HealthModule,
    OrderingModule,
  ],
  // Nest tries global filters last-registered first: the catch-all goes first so it is tried last.
  providers: [
    { provide: APP_FILTER, useClass: UnexpectedErrorFilter },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_FILTER, useClass: DomainErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
})
export class ApiModule {}
