import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import { EmbeddedEventStore, embeddedStoreOptions, EmbeddedStoreSettings } from '@app/eventstore-server';
import { Environment } from '@app/config';

type Settings = Pick<Environment, 'NODE_ENV' | 'EVENTSTORE_URL' | 'EVENTSTORE_EMBEDDED'> & EmbeddedStoreSettings;

/**
 * Owns the one EventStoreDBClient of a process. With EVENTSTORE_URL it talks to
 * that server; without, it first starts the embedded store in-process. Either
 * way the client is built from a connection string, so the code path after
 * this point is identical.
 */
export class EventStoreConnection implements OnApplicationShutdown {
  private static readonly logger = new Logger('EventStore');

  private constructor(
    readonly client: EventStoreDBClient,
    readonly connectionString: string,
    private readonly embedded?: EmbeddedEventStore,
  ) {}

  static async open(settings: Settings): Promise<EventStoreConnection> {
    if (settings.EVENTSTORE_URL) {
      this.logger.log(`using EventStoreDB at ${redact(settings.EVENTSTORE_URL)}`);
      return new EventStoreConnection(
        EventStoreDBClient.connectionString(settings.EVENTSTORE_URL),
        settings.EVENTSTORE_URL,
      );
    }
    // A forgotten EVENTSTORE_URL would give each replica a store of its own on a local disk, and look healthy.
    if (settings.NODE_ENV === 'production' && !settings.EVENTSTORE_EMBEDDED) {
      throw new Error(
        'EVENTSTORE_URL: required in production (unset, this process would start the embedded event store, which is meant for tests and local runs; set EVENTSTORE_EMBEDDED=true to use it anyway)',
      );
    }
    const embedded = await EmbeddedEventStore.start(
      embeddedStoreOptions(settings, (message) => this.logger.log(message)),
    );
    return new EventStoreConnection(
      EventStoreDBClient.connectionString(embedded.connectionString),
      embedded.connectionString,
      embedded,
    );
  }

  get mode(): 'embedded' | 'external' {
    return this.embedded ? 'embedded' : 'external';
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.dispose();
    await this.embedded?.stop();
  }
}

/** Connection strings may carry credentials; never log them. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
