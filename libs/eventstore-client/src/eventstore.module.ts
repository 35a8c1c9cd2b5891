import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventStoreDBClient } from '@eventstore/db-client';
import { AppConfig } from '@app/config';
import { EventStoreConnection } from './eventstore-connection';
import { EventStreams } from './event-streams';
import { EsdbEventStore } from './adapters/esdb-event-store';
import { EventStore } from './port/event-store.port';

/**
 * Provides the event store port on the process's single EventStoreDBClient,
 * and the client itself for the projection runner's subscriptions.
 */
@Global()
@Module({
  providers: [
    {
      provide: EventStoreConnection,
      inject: [ConfigService],
      useFactory: (config: AppConfig) =>
        EventStoreConnection.open({
          NODE_ENV: config.get('NODE_ENV', { infer: true }),
          EVENTSTORE_URL: config.get('EVENTSTORE_URL', { infer: true }),
          EVENTSTORE_EMBEDDED: config.get('EVENTSTORE_EMBEDDED', { infer: true }),
          EVENTSTORE_DATA_DIR: config.get('EVENTSTORE_DATA_DIR', { infer: true }),
          EVENTSTORE_EMBEDDED_HOST: config.get('EVENTSTORE_EMBEDDED_HOST', { infer: true }),
          EVENTSTORE_EMBEDDED_PORT: config.get('EVENTSTORE_EMBEDDED_PORT', { infer: true }),
          EVENTSTORE_EMBEDDED_USERS: config.get('EVENTSTORE_EMBEDDED_USERS', { infer: true }),
          EVENTSTORE_EMBEDDED_TLS_CERT_FILE: config.get('EVENTSTORE_EMBEDDED_TLS_CERT_FILE', { infer: true }),
          EVENTSTORE_EMBEDDED_TLS_KEY_FILE: config.get('EVENTSTORE_EMBEDDED_TLS_KEY_FILE', { infer: true }),
          EVENTSTORE_EMBEDDED_ALLOW_DELETE: config.get('EVENTSTORE_EMBEDDED_ALLOW_DELETE', { infer: true }),
          EVENTSTORE_EMBEDDED_BATCH_APPEND_BUFFER_BYTES: config.get('EVENTSTORE_EMBEDDED_BATCH_APPEND_BUFFER_BYTES', {
            infer: true,
          }),
        }),
    },
    {
      provide: EventStoreDBClient,
      inject: [EventStoreConnection],
      useFactory: (connection: EventStoreConnection) => connection.client,
    },
    {
      provide: EventStore,
      inject: [EventStoreDBClient],
      useFactory: (client: EventStoreDBClient) => new EsdbEventStore(client),
    },
    { provide: EventStreams, inject: [EventStore], useFactory: (store: EventStore) => new EventStreams(store) },
  ],
  exports: [EventStoreConnection, EventStoreDBClient, EventStore, EventStreams],
})
export class EventStoreModule {}
