/**
 * The official client sends every append over one BatchAppend stream that has
 * no deadline of its own: the store must answer an append that outlasts the
 * request's deadline, as EventStoreDB does, or the caller waits forever.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadlineExceededError, EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { EmbeddedEventStore } from '@app/eventstore-server';
import { collect } from './client-helpers';

describe('embedded store BatchAppend deadline', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'es-deadline-'))));
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Holds every fdatasync in this process until released: the disk stops answering. */
  async function stallDurableWrites(): Promise<() => void> {
    const probe = await open(join(dataDir, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    const datasync = fileHandle.datasync;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    jest.spyOn(fileHandle, 'datasync').mockImplementation(async function (this: FileHandle) {
      await released;
      return datasync.call(this);
    });
    return release;
  }

  it("rejects an append whose write is stalled past its deadline with the client's timeout error; the write may still land", async () => {
    const store = await EmbeddedEventStore.start({ dataDir });
    const client = EventStoreDBClient.connectionString(store.connectionString);
    try {
      // Opens the BatchAppend stream before the clock starts.
      await client.appendToStream('deadline', jsonEvent({ type: 'First', data: {} }));
      const release = await stallDurableWrites();

      const started = Date.now();
      const append = client.appendToStream('deadline', jsonEvent({ type: 'Late', data: {} }), { deadline: 200 });
      const outcome = await within(
        2_000,
        append.catch((error: unknown) => error),
      );
      const elapsed = Date.now() - started;
      release();
      await append.catch(() => undefined);

      expect(outcome).toBeInstanceOf(DeadlineExceededError);
      expect(elapsed).toBeLessThan(1_000);
      // A timeout does not withdraw the append: once the disk answers, it is stored.
      for (const until = Date.now() + 5_000; store.eventCount < 2 && Date.now() < until;) await delay(10);
      expect((await collect(client.readStream('deadline'))).map((e) => e.event!.type)).toEqual(['First', 'Late']);
    } finally {
      await client.dispose();
      await store.stop();
    }
  });
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The promise's value, or 'no answer' once `ms` have passed. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T | 'no answer'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'no answer'>((resolve) => (timer = setTimeout(() => resolve('no answer'), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
