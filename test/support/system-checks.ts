import { EventStoreDBClient } from '@eventstore/db-client';
import { startTsProcess } from './processes';

export interface Recorded {
  id: string;
  type: string;
  data: any;
  metadata: unknown;
  streamId: string;
  revision: bigint;
}

/** Every event in the store at `url`, in order (the store's own `$` events left out), and the position of the last. */
export async function readEverything(url: string): Promise<Recorded[] & { head?: bigint }> {
  const client = EventStoreDBClient.connectionString(url);
  try {
    const events: Recorded[] & { head?: bigint } = [];
    for await (const { event } of client.readAll()) {
      if (event && !event.type.startsWith('$'))
        events.push({
          id: event.id,
          type: event.type,
          data: event.data,
          metadata: event.metadata,
          streamId: event.streamId,
          revision: event.revision,
        });
      if (event?.position) events.head = event.position.commit;
    }
    return events;
  } finally {
    await client.dispose();
  }
}

/** `replay --all --verify` run as a process against the system `env` describes: its exit code and what it printed (progress bars left out). */
export async function replayVerify(env: Record<string, string>): Promise<{ code: number | string; output: string }> {
  const replay = startTsProcess('tools/replay.ts', env, ['--all', '--verify']);
  const code = await replay.exited;
  const output = replay
    .output()
    .split('\n')
    .filter((line) => !line.includes('\r'))
    .join('\n');
  return { code, output };
}
