import { Module } from '@nestjs/common';
import { DiscountWorkerModule } from '@app/discount';
import { FulfilmentModule } from '@app/fulfilment';
import { ProjectionsModule } from '@app/projections';
import { QueuesModule } from '@app/queues';
import { ReservationLifecycleModule } from '@app/reservation-lifecycle';
import { infrastructureModules } from '@app/runtime';
import { WorkflowsModule } from '@app/workflows';

@Module({
  imports: [
    ...infrastructureModules(),
    ProjectionsModule.forRoot({ runByDefault: true }),
    QueuesModule.register('worker'),
    FulfilmentModule,
    DiscountWorkerModule,
    ReservationLifecycleModule,
    WorkflowsModule,
  ],
})
export class WorkerModule {}
