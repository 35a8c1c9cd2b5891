import { resolve } from 'node:path';

export interface EmbeddedStoreSettings {
  dataDir: string;
  host: string;
  port: number;
}

export const DEFAULT_EMBEDDED_PORT = 2113;

/** Where the embedded store keeps its log and listens, from the environment. */
export function embeddedStoreSettings(env: NodeJS.ProcessEnv): EmbeddedStoreSettings {
  const port = Number(env.EVENTSTORE_EMBEDDED_PORT ?? DEFAULT_EMBEDDED_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`EVENTSTORE_EMBEDDED_PORT must be a port number, got "${env.EVENTSTORE_EMBEDDED_PORT}"`);
  }
  return {
    dataDir: resolve(env.EVENTSTORE_DATA_DIR ?? 'data/eventstore'),
    host: env.EVENTSTORE_EMBEDDED_HOST ?? '127.0.0.1',
    port,
  };
}
