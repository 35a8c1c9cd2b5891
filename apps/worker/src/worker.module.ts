import { Module } from '@nestjs/common';
import { AuditAnchorsModule } from '@app/audit';
import { DiscountWorkerModule } from '@app/discount';
import { FulfilmentModule } from '@app/fulfilment';
import { ProjectionsModule } from '@app/projections';
import { QueuesModule } from '@app/queues';
import { ReservationLifecycleModule } from '@app/reservation-lifecycle';
import { CatalogModule } from '@app/catalog';
import { ClockModule } from '@app/clock';
import { appConfigModule } from '@app/config';
import { EventStoreModule } from '@app/eventstore-client';
import { LoggingModule } from '@app/logging';
import { OrderingServicesModule } from '@app/ordering';
import { RedisModule } from '@app/redis';
import { ReactorsModule } from '@app/reactors';
import { WebhooksWorkerModule } from '@app/webhooks';

@Module({
  imports: [
    appConfigModule(),
    LoggingModule,
    EventStoreModule,
    RedisModule,
    ClockModule,
    CatalogModule,
    OrderingServicesModule,
    ProjectionsModule.forRoot({ runByDefault: true }),
    QueuesModule.register('worker'),
    FulfilmentModule,
    DiscountWorkerModule,
    ReservationLifecycleModule,
    ReactorsModule,
    AuditAnchorsModule,
    WebhooksWorkerModule,
  ],
})
export class WorkerModule {}
