/**
 * The embedded event store as its own process (`npm run eventstore`), for
 * running api and worker processes against one store without EventStoreDB.
 */
import { EmbeddedEventStore } from '@app/eventstore-server';
import { embeddedStoreSettings } from '@app/eventstore-server/settings';

async function main(): Promise<void> {
  const settings = embeddedStoreSettings(process.env);
  const log = (message: string) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message })}\n`);
  const store = await EmbeddedEventStore.start({ ...settings, log });
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
