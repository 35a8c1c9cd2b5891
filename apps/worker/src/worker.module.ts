import { Module } from '@nestjs/common';
import { appConfigModule } from '@app/config';
import { EventStoreModule } from '@app/eventstore';
import { DiscountWorkerModule } from '@app/discount';
import { FulfilmentModule } from '@app/fulfilment';
import { LoggingModule } from '@app/logging';
import { OrderingModule } from '@app/ordering';
import { ProjectionsModule } from '@app/projections';
import { QueuesModule } from '@app/queues';
import { RedisModule } from '@app/redis';

@Module({
  imports: [
    appConfigModule(),
    LoggingModule,
    EventStoreModule,
    RedisModule,
    OrderingModule,
    ProjectionsModule.forRoot({ runByDefault: true }),
    QueuesModule.register('worker'),
    FulfilmentModule,
    DiscountWorkerModule,
  ],
})
export class WorkerModule {}
