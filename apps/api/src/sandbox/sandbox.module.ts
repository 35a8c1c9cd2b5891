import { Module } from '@nestjs/common';
import { ReservationLifecyclePassModule } from '@app/reservation-lifecycle';
import { WebhooksModule } from '@app/webhooks';
import { GetSandboxClockController } from './get-clock/get-clock.http';
import { MoveSandboxClockHandler } from './move-clock/move-clock.command';
import { MoveSandboxClockController } from './move-clock/move-clock.http';

/** The sandbox clock of an integration environment: read it, and move it forward through renewals, payments and expiry. */
@Module({
  imports: [ReservationLifecyclePassModule, WebhooksModule],
  controllers: [GetSandboxClockController, MoveSandboxClockController],
  providers: [MoveSandboxClockHandler],
})
export class SandboxModule {}
