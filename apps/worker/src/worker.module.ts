import { Module } from '@nestjs/common';
import { AppConfigModule } from '@app/config';
import { EventStoreModule } from '@app/eventstore';
import { LoggingModule } from '@app/logging';
import { RedisModule } from '@app/redis';

@Module({
  imports: [AppConfigModule, LoggingModule, EventStoreModule, RedisModule],
})
export class WorkerModule {}
