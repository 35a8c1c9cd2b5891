/**
 * npm run replay -- --projection <name> | --all [--verify]
 *
 * Rebuilds views from position zero into fresh keys and swaps them in
 * atomically. With --verify, rebuilds into scratch keys instead, compares them
 * with the live views, prints every difference, and exits 1 if there is one.
 * Uses the same configuration as the apps (EVENTSTORE_URL, REDIS_URL or
 * REDIS_CLUSTER_NODES or REDIS_SENTINELS, REDIS_KEY_PREFIX); with no EVENTSTORE_URL it opens the embedded store's data
 * directory, so stop the running system first in that case.
 */
import { validateEnvironment } from '@app/config';
import { EsdbEventStore, EventStoreConnection } from '@app/eventstore-client';
import { ALL_PROJECTIONS, projectionNamed, RebuildProgress, rebuildAndSwap, verify } from '@app/projections';
import { connectRedis } from '@app/redis';

function parseArguments(argv: string[]): { names: string[]; verify: boolean } {
  const names: string[] = [];
  let all = false;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--all') all = true;
    else if (argv[i] === '--verify') check = true;
    else if (argv[i] === '--projection' && argv[i + 1]) names.push(argv[++i]);
    else throw new Error(`unexpected argument "${argv[i]}"`);
  }
  if (all) return { names: ALL_PROJECTIONS.map((p) => p.name), verify: check };
  if (names.length === 0) throw new Error('name --projection <name> (repeatable) or --all');
  return { names, verify: check };
}

/** A one-line progress bar on stderr, redrawn in place. */
function progressBar(label: string): (progress: RebuildProgress) => void {
  return ({ events, position, head, seconds }) => {
    const share = head > 0n ? Math.min(1, Number((position * 1000n) / head) / 1000) : 1;
    const width = 30;
    const filled = Math.round(share * width);
    const rate = seconds > 0 ? Math.round(events / seconds) : 0;
    process.stderr.write(
      `\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${events.toLocaleString('en-US')} events  ${rate.toLocaleString('en-US')} events/s `,
    );
  };
}

async function main(): Promise<number> {
  const { names, verify: check } = parseArguments(process.argv.slice(2));
  const projections = names.map(projectionNamed);
  const env = validateEnvironment(process.env);
  const connection = await EventStoreConnection.open(env);
  const redis = connectRedis(env, { keyPrefix: env.REDIS_KEY_PREFIX, maxRetriesPerRequest: 2 });
  const started = Date.now();
  try {
    if (check) {
      const { differences, events } = await verify(
        new EsdbEventStore(connection.client),
        redis,
        projections,
        progressBar('verify '),
      );
      process.stderr.write('\n');
      for (const d of differences) {
        console.log(
          `DIFFERENCE ${d.projection} ${d.key}\n  live:    ${d.live ?? '(missing)'}\n  rebuilt: ${d.rebuilt ?? '(missing)'}`,
        );
      }
      console.log(
        `verified ${names.join(', ')}: ${events.toLocaleString('en-US')} events read, ${differences.length} difference(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      return differences.length > 0 ? 1 : 0;
    }
    const { events, generations } = await rebuildAndSwap(
      new EsdbEventStore(connection.client),
      redis,
      projections,
      progressBar('rebuild'),
    );
    process.stderr.write('\n');
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `rebuilt ${names.join(', ')} from ${events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s ` +
        `(${Math.round(events / seconds).toLocaleString('en-US')} events/s); live generation ${Object.values(generations)[0]}`,
    );
    return 0;
  } finally {
    await redis.quit();
    await connection.onApplicationShutdown();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`replay failed: ${error.message}`);
    process.exit(2);
  },
);
