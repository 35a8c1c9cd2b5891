import { Module } from '@nestjs/common';
import { OrderingModule } from '@app/ordering';
import { ReservationLifecycle } from './reservation-lifecycle';
import { ReservationLifecycleProcessor } from './reservation-lifecycle.processor';

/** In the worker: the daily pass over reservations near or past their end. */
@Module({
  imports: [OrderingModule],
  providers: [ReservationLifecycle, ReservationLifecycleProcessor],
})
export class ReservationLifecycleModule {}
