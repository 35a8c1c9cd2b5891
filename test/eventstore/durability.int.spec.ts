/**
 * Durability of the embedded store's log: what was acknowledged survives a
 * restart, a torn tail, and a kill -9 of the store process mid-write.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  jsonEvent,
  NO_STREAM,
  START,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EmbeddedEventStore, EmbeddedEventStoreOptions } from '@app/eventstore-server';
import { collect, nextEvents } from './client-helpers';
import { startStoreProcess } from '../support/processes';

describe('embedded store durability', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'es-durability-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  async function withStore<T>(
    use: (client: EventStoreDBClient, store: EmbeddedEventStore) => Promise<T>,
    limits?: EmbeddedEventStoreOptions['limits'],
  ): Promise<T> {
    const store = await EmbeddedEventStore.start({ dataDir, limits });
    const client = EventStoreDBClient.connectionString(store.connectionString);
    try {
      return await use(client, store);
    } finally {
      await client.dispose();
      await store.stop();
    }
  }

  const logFile = () => join(dataDir, 'events.log');

  it('keeps every acknowledged event, position and revision across a restart', async () => {
    const ids = Array.from({ length: 300 }, () => randomUUID());
    const before = await withStore(async (client) => {
      await Promise.all(
        Array.from({ length: 30 }, (_, s) =>
          client.appendToStream(
            `restart-${s}`,
            ids.slice(s * 10, s * 10 + 10).map((id, i) => jsonEvent({ id, type: 'E', data: { s, i } })),
          ),
        ),
      );
      return collect(client.readAll());
    });
    expect(before).toHaveLength(300);

    await withStore(async (client) => {
      const after = await collect(client.readAll());
      expect(after.map((e) => [e.event!.id, e.event!.streamId, e.event!.revision, e.commitPosition])).toEqual(
        before.map((e) => [e.event!.id, e.event!.streamId, e.event!.revision, e.commitPosition]),
      );
      // Concurrency state and idempotency survive too.
      const stale = await client
        .appendToStream('restart-0', jsonEvent({ type: 'E', data: {} }), { expectedRevision: 8n })
        .catch((e) => e);
      expect(stale).toBeInstanceOf(WrongExpectedVersionError);
      const retried = await client.appendToStream(
        'restart-0',
        ids.slice(0, 10).map((id) => jsonEvent({ id, type: 'E', data: {} })),
      );
      expect(retried.nextExpectedRevision).toBe(9n);
      expect(await collect(client.readStream('restart-0'))).toHaveLength(10);
    });
  });

  it('reads bodies back from the log file: with nothing cached and one id remembered, reads, filtered subscriptions and retries answer as before', async () => {
    const big = 'x'.repeat(20_000);
    const batches = Array.from({ length: 40 }, (_, b) =>
      Array.from({ length: 5 }, (_, i) => ({
        id: randomUUID(),
        type: b % 2 ? 'Odd' : 'Even',
        data: { b, i, big: i === 0 ? big : '' },
      })),
    );
    const dataOf = (events: typeof batches) => events.flat().map((e) => e.data);
    await withStore(
      async (client) => {
        for (const [b, batch] of batches.entries()) await client.appendToStream(`body-${b % 4}`, batch.map(jsonEvent));

        expect((await collect(client.readAll())).map((e) => e.event!.data)).toEqual(dataOf(batches));
        const lastThree = await collect(
          client.readStream('body-1', { direction: BACKWARDS, fromRevision: END, maxCount: 3 }),
        );
        expect(lastThree.map((e) => [e.event!.revision, e.event!.data])).toEqual(
          [4, 3, 2].map((i) => [45n + BigInt(i), batches[37][i].data]),
        );

        const odd = client.subscribeToAll({ fromPosition: START, filter: eventTypeFilter({ prefixes: ['Odd'] }) });
        const delivered = await nextEvents(odd, 100);
        await odd.unsubscribe();
        expect(delivered.map((e) => e.event!.data)).toEqual(dataOf(batches.filter((_, b) => b % 2 === 1)));

        // The first batch's ids are long forgotten, yet its retry at the same place is recognised from the log.
        const retried = await client.appendToStream('body-0', batches[0].map(jsonEvent), {
          expectedRevision: NO_STREAM,
        });
        expect(retried.nextExpectedRevision).toBe(4n);
        expect(await collect(client.readStream('body-0'))).toHaveLength(50);
      },
      { cacheBytes: 0, recentIds: 1 },
    );
  });

  it('truncates a torn frame at the tail on start and keeps appending after it', async () => {
    await withStore((client) =>
      client.appendToStream('torn', [jsonEvent({ type: 'A', data: {} }), jsonEvent({ type: 'B', data: {} })]),
    );
    const intactSize = statSync(logFile()).size;
    // A header promising 500 bytes followed by only a few: the write was cut short.
    const header = Buffer.alloc(8);
    header.writeUInt32LE(500, 0);
    appendFileSync(logFile(), Buffer.concat([header, Buffer.from('partial')]));

    await withStore(async (client) => {
      expect(statSync(logFile()).size).toBe(intactSize);
      expect((await collect(client.readStream('torn'))).map((e) => e.event!.type)).toEqual(['A', 'B']);
      await client.appendToStream('torn', jsonEvent({ type: 'C', data: {} }), { expectedRevision: 1n });
    });
    await withStore(async (client) => {
      expect((await collect(client.readStream('torn'))).map((e) => e.event!.type)).toEqual(['A', 'B', 'C']);
    });
  });

  it('drops a complete final frame whose checksum does not match', async () => {
    await withStore((client) => client.appendToStream('crc', jsonEvent({ type: 'Kept', data: {} })));
    const intactSize = statSync(logFile()).size;
    const payload = Buffer.from('a frame whose bytes were not all written');
    const header = Buffer.alloc(8);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE((crc32(payload) + 1) >>> 0, 4);
    appendFileSync(logFile(), Buffer.concat([header, payload]));

    await withStore(async (client, store) => {
      expect(statSync(logFile()).size).toBe(intactSize);
      expect(store.eventCount).toBe(1);
      expect((await collect(client.readStream('crc'))).map((e) => e.event!.type)).toEqual(['Kept']);
    });
  });

  it('starts after a crash left a zero-filled tail, and keeps appending after it', async () => {
    await withStore((client) => client.appendToStream('zeros', jsonEvent({ type: 'A', data: {} })));
    const intactSize = statSync(logFile()).size;
    // XFS after a power loss: the file was extended, the data never landed.
    appendFileSync(logFile(), Buffer.alloc(4096));

    await withStore(async (client) => {
      expect(statSync(logFile()).size).toBe(intactSize);
      await client.appendToStream('zeros', jsonEvent({ type: 'B', data: {} }), { expectedRevision: 0n });
      expect((await collect(client.readStream('zeros'))).map((e) => e.event!.type)).toEqual(['A', 'B']);
    });
  });

  it('refuses to start, and cuts nothing, when a frame in the middle of the log is damaged', async () => {
    // Damage within one write's reach of the end may be a torn last write; beyond it, events that were acknowledged follow.
    const pad = 'x'.repeat(900_000);
    await withStore(async (client) => {
      for (const type of ['A', 'B', 'C', 'D', 'E', 'F'])
        await client.appendToStream('middle', jsonEvent({ type, data: { pad } }));
    });
    const log = readFileSync(logFile());
    // The first frame starts after the 8-byte magic; flip a byte of its payload.
    log[8 + 8 + 3] ^= 0xff;
    writeFileSync(logFile(), log);

    await expect(EmbeddedEventStore.start({ dataDir })).rejects.toThrow(
      `event log ${logFile()} is damaged in the middle, not torn at the end: the frame at offset 8`,
    );
    expect(statSync(logFile()).size).toBe(log.length);
  });

  it('refuses a second store on the same data directory', async () => {
    await withStore(async () => {
      await expect(EmbeddedEventStore.start({ dataDir })).rejects.toThrow(/locked by running process/);
    });
  });

  it('loses no acknowledged event when the store process is killed with SIGKILL mid-write', async () => {
    const first = await startStoreProcess(dataDir);
    const client = EventStoreDBClient.connectionString(first.connectionString);
    const acknowledged: string[] = [];
    let stop = false;
    // 20 writers, each appending 3-event batches as fast as the store acks them.
    const writers = Array.from({ length: 20 }, async (_, w) => {
      for (let batch = 0; !stop; batch++) {
        const ids = [randomUUID(), randomUUID(), randomUUID()];
        const events = ids.map((id, i) => jsonEvent({ id, type: 'Written', data: { w, batch, i } }));
        try {
          await client.appendToStream(`writer-${w}`, events);
          acknowledged.push(...ids);
        } catch {
          return;
        }
      }
    });
    while (acknowledged.length < 3_000) await new Promise((resolve) => setTimeout(resolve, 5));
    await first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await client.dispose().catch(() => undefined);

    const second = await startStoreProcess(dataDir);
    const reader = EventStoreDBClient.connectionString(second.connectionString);
    try {
      const stored = await collect(reader.readAll());
      const storedIds = new Set(stored.map((e) => e.event!.id));
      expect(acknowledged.filter((id) => !storedIds.has(id))).toEqual([]);
      expect(storedIds.size).toBe(stored.length);
      // Appends are atomic: every batch is whole, and revisions have no gaps.
      for (let w = 0; w < 20; w++) {
        const events = stored.filter((e) => e.event!.streamId === `writer-${w}`);
        expect(events.map((e) => Number(e.event!.revision))).toEqual(events.map((_, i) => i));
        expect(events.length % 3).toBe(0);
      }
    } finally {
      await reader.dispose();
      await second.proc.kill('SIGTERM');
    }
  });
});
