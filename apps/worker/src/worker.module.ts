import { Module } from '@nestjs/common';
import { appConfigModule } from '@app/config';
import { EventStoreModule } from '@app/eventstore';
import { LoggingModule } from '@app/logging';
import { ProjectionsModule } from '@app/projections';
import { RedisModule } from '@app/redis';

@Module({
  imports: [appConfigModule(), LoggingModule, EventStoreModule, RedisModule, ProjectionsModule.forRoot({ runByDefault: true })],
})
export class WorkerModule {}
