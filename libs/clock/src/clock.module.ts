import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { EventStreams } from '@app/eventstore-client';
import { Clock, SystemClock } from './clock';
import { SandboxClock } from './sandbox-clock';

/** The process's Clock: the system's, or with SANDBOX_CLOCK=true the sandbox clock every process shares. */
@Global()
@Module({
  providers: [
    {
      provide: Clock,
      inject: [ConfigService, Redis, EventStreams],
      useFactory: async (config: AppConfig, redis: Redis, streams: EventStreams): Promise<Clock> => {
        if (!config.get('SANDBOX_CLOCK', { infer: true })) return new SystemClock();
        const clock = new SandboxClock(redis, streams, config.get('SANDBOX_CLOCK_START', { infer: true }));
        await clock.reconcile();
        return clock;
      },
    },
  ],
  exports: [Clock],
})
export class ClockModule {}
