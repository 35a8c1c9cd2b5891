import { Module } from '@nestjs/common';
import { OrderingServicesModule } from '@app/ordering';
import { reactorProviders } from '@app/projections';
import { ReservationLifecycle } from './reservation-lifecycle';
import { ReservationLifecycleProcessor } from './reservation-lifecycle.processor';
import { ScopeFallbackReactor } from './scope-fallback.reactor';

/** The lifecycle pass alone: the sandbox clock's moves run it in the api, as of each day they cross. */
@Module({
  imports: [OrderingServicesModule],
  providers: [ReservationLifecycle],
  exports: [ReservationLifecycle],
})
export class ReservationLifecyclePassModule {}

/** In the worker: the daily pass over reservations near or past their end, and the scope fall-back on suspension. */
@Module({
  imports: [ReservationLifecyclePassModule],
  providers: [ReservationLifecycleProcessor, ...reactorProviders(ScopeFallbackReactor)],
})
export class ReservationLifecycleModule {}
