import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { CatalogModule as SharedCatalogModule } from '@app/catalog';
import { ClockModule } from '@app/clock';
import { appConfigModule } from '@app/config';
import { EventStoreModule } from '@app/eventstore-client';
import { LoggingModule } from '@app/logging';
import { OrderingServicesModule } from '@app/ordering';
import { ProjectionsModule } from '@app/projections';
import { RedisModule } from '@app/redis';
import { QueuesModule } from '@app/queues';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BudgetsModule } from './budgets/budgets.module';
import { CartsModule } from './carts/carts.module';
import { CatalogModule } from './catalog/catalog.module';
import { CustomersModule } from './customers/customers.module';
import { EventsModule } from './events/events.module';
import { ExchangesModule } from './exchanges/exchanges.module';
import { HealthModule } from './health/health.module';
import { DomainErrorFilter, HttpErrorFilter, UnexpectedErrorFilter } from './http/error-responses';
import { HttpSupportModule } from './http/http.module';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { RequestClockInterceptor } from './http/request-clock.interceptor';
import { OperationsModule } from './operations/operations.module';
import { OrdersModule } from './orders/orders.module';
import { ReservationsModule } from './reservations/reservations.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { StatementsModule } from './statements/statements.module';
import { UsageModule } from './usage/usage.module';
import { NotificationsModule } from './notifications/notifications.http';
import { WebhooksModule } from './webhooks/webhooks.module';

/** The HTTP deployable: one module per resource, on the infrastructure every deployable shares. */
@Module({
  imports: [
    // What every deployable stands on: validated configuration, logs, the event store, Redis, the Clock, the catalog, the ordering services.
    appConfigModule(),
    LoggingModule,
    EventStoreModule,
    RedisModule,
    ClockModule,
    SharedCatalogModule,
    OrderingServicesModule,
    ProjectionsModule.forRoot({ runByDefault: false }),
    QueuesModule.register('producer'),
    CqrsModule.forRoot(),
    AuthModule,
    BudgetsModule,
    HttpSupportModule,
    HealthModule,
    OperationsModule,
    CustomersModule,
    CatalogModule,
    CartsModule,
    OrdersModule,
    ReservationsModule,
    ExchangesModule,
    StatementsModule,
    UsageModule,
    EventsModule,
    SandboxModule,
    AuditModule,
    WebhooksModule,
    NotificationsModule,
  ],
  // Nest tries global filters last-registered first: the catch-all goes first so it is tried last.
  providers: [
    { provide: APP_FILTER, useClass: UnexpectedErrorFilter },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_FILTER, useClass: DomainErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: RequestClockInterceptor },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
})
export class ApiModule {}
