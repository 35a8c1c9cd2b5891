/**
 * The embedded event store as its own process (`npm run eventstore`), for
 * running api and worker processes against one store without EventStoreDB.
 */
import { EmbeddedEventStore, embeddedStoreOptions } from '@app/eventstore-server';
import { validateEnvironment } from '@app/config';
import { prettyLogs } from '@app/logging';

async function main(): Promise<void> {
  const env = validateEnvironment(process.env);
  // Same choice as the apps: a readable line for a person at a terminal (or under npm start at one), JSON otherwise.
  const pretty = prettyLogs(env);
  const clock = (at: Date) => `${at.toTimeString().slice(0, 8)}.${String(at.getMilliseconds()).padStart(3, '0')}`;
  const log = (message: string) =>
    process.stdout.write(
      pretty
        ? `[${clock(new Date())}] INFO: [EventStore] ${message}\n`
        : `${JSON.stringify({ time: new Date().toISOString(), msg: message })}\n`,
    );
  const store = await EmbeddedEventStore.start(embeddedStoreOptions(env, log));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, flushing the log and stopping`);
    store.stop().then(
      () => process.exit(0),
      (error: Error) => {
        log(`stop failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  process.stderr.write(`embedded event store failed to start: ${error.message}\n`);
  process.exit(1);
});
