import { Module } from '@nestjs/common';
import { DiscountWorkerModule } from '@app/discount';
import { FulfilmentModule } from '@app/fulfilment';
import { ProjectionsModule } from '@app/projections';
import { QueuesModule } from '@app/queues';
import { infrastructureModules } from '@app/runtime';

@Module({
  imports: [
    ...infrastructureModules(),
    ProjectionsModule.forRoot({ runByDefault: true }),
    QueuesModule.register('worker'),
    FulfilmentModule,
    DiscountWorkerModule,
  ],
})
export class WorkerModule {}
