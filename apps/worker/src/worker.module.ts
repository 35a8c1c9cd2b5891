import { Module } from '@nestjs/common';
import { AppConfigModule } from '@app/config';
import { EventStoreModule } from '@app/eventstore';
import { LoggingModule } from '@app/logging';
import { ProjectionsModule } from '@app/projections';
import { RedisModule } from '@app/redis';

@Module({
  imports: [AppConfigModule, LoggingModule, EventStoreModule, RedisModule, ProjectionsModule.forRoot({ runByDefault: true })],
})
export class WorkerModule {}
