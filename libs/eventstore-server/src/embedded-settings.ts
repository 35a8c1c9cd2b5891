import { EmbeddedEventStoreOptions, EmbeddedUser } from './embedded-event-store';

/** The environment variables the embedded store reads, as libs/config validates them. */
export interface EmbeddedStoreSettings {
  EVENTSTORE_DATA_DIR: string;
  EVENTSTORE_EMBEDDED_HOST: string;
  EVENTSTORE_EMBEDDED_PORT: number;
  EVENTSTORE_EMBEDDED_USERS?: string;
  EVENTSTORE_EMBEDDED_TLS_CERT_FILE?: string;
  EVENTSTORE_EMBEDDED_TLS_KEY_FILE?: string;
  EVENTSTORE_EMBEDDED_ALLOW_DELETE: boolean;
  EVENTSTORE_EMBEDDED_BATCH_APPEND_BUFFER_BYTES: number;
}

/** One mapping for both ways the store runs: its own process, or inside the api or worker. */
export function embeddedStoreOptions(
  settings: EmbeddedStoreSettings,
  log: (message: string) => void,
): EmbeddedEventStoreOptions {
  const { EVENTSTORE_EMBEDDED_TLS_CERT_FILE: certFile, EVENTSTORE_EMBEDDED_TLS_KEY_FILE: keyFile } = settings;
  return {
    dataDir: settings.EVENTSTORE_DATA_DIR,
    host: settings.EVENTSTORE_EMBEDDED_HOST,
    port: settings.EVENTSTORE_EMBEDDED_PORT,
    users: parseUsers(settings.EVENTSTORE_EMBEDDED_USERS),
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
    allowDelete: settings.EVENTSTORE_EMBEDDED_ALLOW_DELETE,
    batchAppendBufferBytes: settings.EVENTSTORE_EMBEDDED_BATCH_APPEND_BUFFER_BYTES,
    log,
  };
}

/** `name:password,name:password`; a password may hold `:`, as only the first one ends the name. */
export function parseUsers(spec: string | undefined): EmbeddedUser[] {
  if (!spec) return [];
  return spec.split(',').map((entry) => {
    const colon = entry.indexOf(':');
    return { username: entry.slice(0, colon), password: entry.slice(colon + 1) };
  });
}
