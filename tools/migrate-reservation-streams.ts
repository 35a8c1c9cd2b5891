/**
 * npm run migrate:reservation-streams [-- --dry-run]
 *
 * Copies the reservations that orders fulfilled before the reservation order
 * held them kept in streams of their own (`reservation-{id}`) onto their
 * orders, one ReservationStreamsMigrated per order (docs/operations.md).
 * Running it again writes nothing. With --dry-run it prints what it would
 * copy and writes nothing. Uses the apps' configuration (EVENTSTORE_URL);
 * with no EVENTSTORE_URL it opens the embedded store's data directory, so
 * stop the running system first in that case.
 */
import { validateEnvironment } from '@app/config';
import { EsdbEventStore, EventStoreConnection } from '@app/eventstore-client';
import { migrateReservationStreams } from '@app/ordering';

function parseArguments(argv: string[]): { dryRun: boolean } {
  const unknown = argv.filter((argument) => argument !== '--dry-run');
  if (unknown.length > 0) throw new Error(`unexpected argument "${unknown[0]}"; the only option is --dry-run`);
  return { dryRun: argv.includes('--dry-run') };
}

async function main(): Promise<number> {
  const { dryRun } = parseArguments(process.argv.slice(2));
  const connection = await EventStoreConnection.open(validateEnvironment(process.env));
  try {
    await migrateReservationStreams(new EsdbEventStore(connection.client), {
      dryRun,
      now: () => new Date().toISOString(),
      report: (line) => console.log(line),
    });
    return 0;
  } finally {
    await connection.onApplicationShutdown();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`migrate:reservation-streams failed: ${error.message}`);
    process.exit(2);
  },
);
