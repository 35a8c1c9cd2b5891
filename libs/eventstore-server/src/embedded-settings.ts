import { EmbeddedEventStoreOptions } from './embedded-event-store';

/** The environment variables the embedded store reads, as libs/config validates them. */
export interface EmbeddedStoreSettings {
  EVENTSTORE_DATA_DIR: string;
  EVENTSTORE_EMBEDDED_HOST: string;
  EVENTSTORE_EMBEDDED_PORT: number;
  EVENTSTORE_EMBEDDED_ALLOW_DELETE: boolean;
  EVENTSTORE_EMBEDDED_BATCH_APPEND_BUFFER_BYTES: number;
}

/** One mapping for both ways the store runs: its own process, or inside the api or worker. */
export function embeddedStoreOptions(settings: EmbeddedStoreSettings, log: (message: string) => void): EmbeddedEventStoreOptions {
  return {
    dataDir: settings.EVENTSTORE_DATA_DIR,
    host: settings.EVENTSTORE_EMBEDDED_HOST,
    port: settings.EVENTSTORE_EMBEDDED_PORT,
    allowDelete: settings.EVENTSTORE_EMBEDDED_ALLOW_DELETE,
    batchAppendBufferBytes: settings.EVENTSTORE_EMBEDDED_BATCH_APPEND_BUFFER_BYTES,
    log,
  };
}
