import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventStoreDBClient } from '@eventstore/db-client';
import { AppConfig } from '@app/config';
import { EventStoreConnection } from './eventstore-connection';
import { EventStreams } from './event-streams';

/** Provides the process's single EventStoreDBClient. */
@Global()
@Module({
  providers: [
    {
      provide: EventStoreConnection,
      inject: [ConfigService],
      useFactory: (config: AppConfig) =>
        EventStoreConnection.open({
          EVENTSTORE_URL: config.get('EVENTSTORE_URL', { infer: true }),
          EVENTSTORE_DATA_DIR: config.get('EVENTSTORE_DATA_DIR', { infer: true }),
          EVENTSTORE_EMBEDDED_HOST: config.get('EVENTSTORE_EMBEDDED_HOST', { infer: true }),
          EVENTSTORE_EMBEDDED_PORT: config.get('EVENTSTORE_EMBEDDED_PORT', { infer: true }),
        }),
    },
    { provide: EventStoreDBClient, inject: [EventStoreConnection], useFactory: (connection: EventStoreConnection) => connection.client },
    EventStreams,
  ],
  exports: [EventStoreConnection, EventStoreDBClient, EventStreams],
})
export class EventStoreModule {}
