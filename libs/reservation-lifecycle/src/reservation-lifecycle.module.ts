import { Module } from '@nestjs/common';
import { OrderingServicesModule } from '@app/ordering';
import { reactorProviders } from '@app/projections';
import { ReservationLifecycle } from './reservation-lifecycle';
import { ReservationLifecycleProcessor } from './reservation-lifecycle.processor';
import { ScopeFallbackReactor } from './scope-fallback';

/** In the worker: the daily pass over reservations near or past their end, and the scope fall-back on suspension. */
@Module({
  imports: [OrderingServicesModule],
  providers: [ReservationLifecycle, ReservationLifecycleProcessor, ...reactorProviders(ScopeFallbackReactor)],
})
export class ReservationLifecycleModule {}
