/**
 * Conformance of the embedded store with EventStoreDB, driven through the
 * unmodified official client. The same suite runs against a real server when
 * EVENTSTORE_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  FORWARDS,
  jsonEvent,
  MaxAppendSizeExceededError,
  ResolvedEvent,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { credentials } from '@grpc/grpc-js';
import * as featuresGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import * as featuresPb from '@eventstore/db-client/generated/serverfeatures_pb';
import * as sharedPb from '@eventstore/db-client/generated/shared_pb';
import { EsdbEventStore } from '@app/eventstore-client';
import { EmbeddedEventStore } from '@app/eventstore-server';
import { collect, nextEvents } from './client-helpers';

interface Target {
  name: string;
  connect(): Promise<{ client: EventStoreDBClient; connectionString: string; close(): Promise<void> }>;
}

const embedded: Target = {
  name: 'embedded store',
  async connect() {
    const dataDir = mkdtempSync(join(tmpdir(), 'es-conformance-'));
    // Deletes are refused unless allowed; the suite covers them as EventStoreDB serves them.
    const store = await EmbeddedEventStore.start({ dataDir, allowDelete: true });
    const client = EventStoreDBClient.connectionString(store.connectionString);
    return {
      client,
      connectionString: store.connectionString,
      async close() {
        await client.dispose();
        await store.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

const real: Target = {
  name: 'real EventStoreDB',
  async connect() {
    const client = EventStoreDBClient.connectionString(process.env.EVENTSTORE_URL!);
    return { client, connectionString: process.env.EVENTSTORE_URL!, close: () => client.dispose() };
  },
};

const event = (type = 'TestEvent', data: Record<string, unknown> = {}) => jsonEvent({ type, data });
const stream = (prefix = 'conformance') => `${prefix}-${randomUUID()}`;

describe.each([embedded, ...(process.env.EVENTSTORE_URL ? [real] : [])])(
  'EventStoreDB protocol conformance: $name',
  (target) => {
    let client: EventStoreDBClient;
    let connectionString: string;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ client, connectionString, close } = await target.connect());
    });
    afterAll(() => close());

    // The client uses BatchAppend when the server advertises it; per-call credentials force the unary Append.
    describe.each([
      { path: 'BatchAppend', options: {} },
      { path: 'Append', options: { credentials: { username: 'admin', password: 'changeit' } } },
    ])('append and expected revision over $path', ({ options: via }) => {
      it('creates a stream with no_stream and refuses a second no_stream, reporting the actual revision', async () => {
        const name = stream();
        const first = await client.appendToStream(name, [event(), event()], { ...via, expectedRevision: 'no_stream' });
        expect(first.nextExpectedRevision).toBe(1n);
        expect(first.position!.commit).toBeGreaterThanOrEqual(0n);

        const error = await client
          .appendToStream(name, event(), { ...via, expectedRevision: 'no_stream' })
          .catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error.actualVersion).toBe(1n);
        expect(error.expectedVersion).toBe('no_stream');
      });

      it('accepts the exact current revision and refuses a stale one', async () => {
        const name = stream();
        await client.appendToStream(name, [event(), event(), event()], via);
        const ok = await client.appendToStream(name, event(), { ...via, expectedRevision: 2n });
        expect(ok.nextExpectedRevision).toBe(3n);

        const error = await client.appendToStream(name, event(), { ...via, expectedRevision: 2n }).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error.actualVersion).toBe(3n);
        expect(error.expectedVersion).toBe(2n);
      });

      it('stream_exists fails on a missing stream and succeeds once it exists', async () => {
        const name = stream();
        const error = await client
          .appendToStream(name, event(), { ...via, expectedRevision: 'stream_exists' })
          .catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error.actualVersion).toBe('no_stream');
        await client.appendToStream(name, event(), { ...via, expectedRevision: 'any' });
        const ok = await client.appendToStream(name, event(), { ...via, expectedRevision: 'stream_exists' });
        expect(ok.nextExpectedRevision).toBe(1n);
      });

      it('refuses an append over 1,048,576 bytes with the max-append-size error and writes nothing', async () => {
        const name = stream();
        const big = jsonEvent({ type: 'Big', data: { blob: 'x'.repeat(1_048_600) } });
        const error = await client.appendToStream(name, big, via).catch((e) => e);
        expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
        expect(await collect(client.readStream(name)).catch((e) => e)).toBeInstanceOf(StreamNotFoundError);
      });

      it('does not write twice when an append is retried with the same event ids', async () => {
        const name = stream();
        const events = [event('A'), event('B')];
        const first = await client.appendToStream(name, events, { ...via, expectedRevision: 'no_stream' });
        const retry = await client.appendToStream(name, events, { ...via, expectedRevision: 'no_stream' });
        expect(retry.nextExpectedRevision).toBe(first.nextExpectedRevision);
        const stored = await collect(client.readStream(name));
        expect(stored.map((e) => e.event!.type)).toEqual(['A', 'B']);
      });

      it('recognises a repeat with an exact expected revision: the same ids at the same place write nothing', async () => {
        const name = stream();
        await client.appendToStream(name, event('Start'), { ...via, expectedRevision: 'no_stream' });
        const events = [event('A'), event('B')];
        const first = await client.appendToStream(name, events, { ...via, expectedRevision: 0n });
        const repeat = await client.appendToStream(name, events, { ...via, expectedRevision: 0n });
        expect(repeat.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect((await collect(client.readStream(name))).map((e) => e.event!.type)).toEqual(['Start', 'A', 'B']);
      });

      it('refuses the same ids with an exact expected revision that is neither the current one nor where they were written', async () => {
        const name = stream();
        const a = event('A');
        await client.appendToStream(name, [event('Start'), event('Next')], { ...via, expectedRevision: 'no_stream' });
        await client.appendToStream(name, a, { ...via, expectedRevision: 1n });
        const error = await client.appendToStream(name, a, { ...via, expectedRevision: 0n }).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
      });

      it('writes again when the expected revision is the current one, even with ids seen before', async () => {
        const name = stream();
        const a = event('A');
        await client.appendToStream(name, a, { ...via, expectedRevision: 'no_stream' });
        const again = await client.appendToStream(name, a, { ...via, expectedRevision: 0n });
        expect(again.nextExpectedRevision).toBe(1n);
        const stored = await collect(client.readStream(name));
        expect(stored.map((e) => e.event!.id)).toEqual([a.id, a.id]);
      });

      it('recognises an immediate repeat with expected revision any (best effort only)', async () => {
        const name = stream();
        const events = [event('A'), event('B')];
        const first = await client.appendToStream(name, events, { ...via, expectedRevision: 'any' });
        const repeat = await client.appendToStream(name, events, { ...via, expectedRevision: 'any' });
        expect(repeat.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(await collect(client.readStream(name))).toHaveLength(2);
      });

      it('orders appends from many concurrent writers on one stream without gaps', async () => {
        const name = stream();
        await Promise.all(Array.from({ length: 50 }, (_, i) => client.appendToStream(name, event('N', { i }), via)));
        const stored = await collect(client.readStream(name));
        expect(stored.map((e) => e.event!.revision)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
        expect(new Set(stored.map((e) => (e.event!.data as { i: number }).i)).size).toBe(50);
      });
    });

    it('advertises BatchAppend through ServerFeatures/GetSupportedMethods', async () => {
      const url = new URL(connectionString);
      const features = new featuresGrpc.ServerFeaturesClient(url.host, credentials.createInsecure());
      const supported = await new Promise<featuresPb.SupportedMethods>((resolve, reject) =>
        features.getSupportedMethods(new sharedPb.Empty(), (error, value) => (error ? reject(error) : resolve(value))),
      );
      features.close();
      const methods = supported.getMethodsList().map((m) => `${m.getServiceName()}/${m.getMethodName()}`.toLowerCase());
      expect(methods).toContain('event_store.client.streams.streams/batchappend');
    });

    describe('reading', () => {
      it('reads a stream forwards and backwards, from a revision, with a count', async () => {
        const name = stream();
        await client.appendToStream(
          name,
          Array.from({ length: 10 }, (_, i) => event('N', { i })),
        );
        const revisions = (events: ResolvedEvent[]) => events.map((e) => Number(e.event!.revision));

        expect(revisions(await collect(client.readStream(name, { direction: FORWARDS, fromRevision: START })))).toEqual(
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        );
        expect(revisions(await collect(client.readStream(name, { fromRevision: 3n, maxCount: 4 })))).toEqual([
          3, 4, 5, 6,
        ]);
        expect(
          revisions(await collect(client.readStream(name, { direction: BACKWARDS, fromRevision: END, maxCount: 3 }))),
        ).toEqual([9, 8, 7]);
        expect(revisions(await collect(client.readStream(name, { direction: BACKWARDS, fromRevision: 4n })))).toEqual([
          4, 3, 2, 1, 0,
        ]);
      });

      it('carries type, data, metadata, id and created through a round trip', async () => {
        const name = stream();
        const id = randomUUID();
        const before = Date.now();
        await client.appendToStream(
          name,
          jsonEvent({ id, type: 'Shaped', data: { a: 1 }, metadata: { correlationId: 'c-1' } }),
        );
        const [stored] = await collect(client.readStream(name));
        expect(stored.event).toMatchObject({
          id,
          type: 'Shaped',
          data: { a: 1 },
          metadata: { correlationId: 'c-1' },
          streamId: name,
          isJson: true,
        });
        expect(stored.event!.created.getTime()).toBeGreaterThanOrEqual(before - 1000);
      });

      it('answers stream_not_found for a stream that was never written', async () => {
        const error = await collect(client.readStream(stream())).catch((e) => e);
        expect(error).toBeInstanceOf(StreamNotFoundError);
      });

      it('reads $all forwards and backwards, and from a position inclusively', async () => {
        const prefix = `all-${randomUUID()}`;
        const appended = [];
        for (let i = 0; i < 5; i++)
          appended.push(await client.appendToStream(`${prefix}-${i}`, event('AllRead', { i })));

        const forwards = (
          await collect(client.readAll({ direction: FORWARDS, fromPosition: appended[1].position!, maxCount: 3 }))
        ).map((e) => e.event!.streamId);
        expect(forwards).toEqual([`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);

        const backwards = await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 50 }));
        const ours = backwards.map((e) => e.event?.streamId).filter((s) => s?.startsWith(prefix));
        expect(ours).toEqual([4, 3, 2, 1, 0].map((i) => `${prefix}-${i}`));
        const positions = backwards.map((e) => e.commitPosition!);
        expect([...positions].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))).toEqual(positions);
      });
      it('refuses to read $all from inside a record, as EventStoreDB does, and the port reads after a position from the event at it', async () => {
        const prefix = `inside-${randomUUID()}`;
        const appended = [];
        for (let i = 0; i < 3; i++)
          appended.push(await client.appendToStream(`${prefix}-${i}`, event('Inside', { i })));
        const inside = appended[0].position!.commit + 1n;
        await expect(
          collect(client.readAll({ fromPosition: { commit: inside, prepare: inside }, maxCount: 1 })),
        ).rejects.toThrow(/Invalid position/);

        const page = await new EsdbEventStore(client).readAll({ after: appended[0].position!.commit, maxCount: 1 });
        expect(page.map((e) => e.streamId)).toEqual([`${prefix}-1`]);
      });
    });

    describe('subscriptions', () => {
      it('delivers stored events, then caught-up, then live events, to a stream subscription', async () => {
        const name = stream();
        await client.appendToStream(name, [event('Old', { n: 0 }), event('Old', { n: 1 })]);
        const subscription = client.subscribeToStream(name, { fromRevision: START });
        const seen: string[] = [];
        const caughtUp = new Promise<void>((resolve) => subscription.once('caughtUp', () => resolve()));
        subscription.on('data', (e: ResolvedEvent) => seen.push(e.event!.type));
        await caughtUp;
        expect(seen).toEqual(['Old', 'Old']);
        await client.appendToStream(name, event('Live'));
        await waitUntil(() => seen.length === 3);
        expect(seen).toEqual(['Old', 'Old', 'Live']);
        await subscription.unsubscribe();
      });

      it('starts a stream subscription after the given revision', async () => {
        const name = stream();
        await client.appendToStream(name, [event('A'), event('B'), event('C')]);
        const subscription = client.subscribeToStream(name, { fromRevision: 0n });
        const events = await nextEvents(subscription, 2);
        expect(events.map((e) => e.event!.type)).toEqual(['B', 'C']);
        await subscription.unsubscribe();
      });

      it('filters $all by event-type prefix and sends checkpoints', async () => {
        const typePrefix = `Filt${randomUUID().slice(0, 8)}`;
        const checkpoints: bigint[] = [];
        const subscription = client.subscribeToAll({
          fromPosition: START,
          filter: eventTypeFilter({
            prefixes: [typePrefix],
            checkpointInterval: 1,
            maxSearchWindow: 1,
            checkpointReached: async (_subscription: unknown, position: { commit: bigint }) =>
              void checkpoints.push(position.commit),
          }),
        });
        const seen: string[] = [];
        subscription.on('data', (e: ResolvedEvent) => seen.push(e.event!.type));
        await client.appendToStream(stream(), [event('Noise'), event(`${typePrefix}One`), event('Noise')]);
        await client.appendToStream(stream(), event(`${typePrefix}Two`));
        await waitUntil(() => seen.length === 2 && checkpoints.length > 0);
        expect(seen).toEqual([`${typePrefix}One`, `${typePrefix}Two`]);
        await subscription.unsubscribe();
      });

      it('filters $all by stream-name regex and resumes after a checkpointed position', async () => {
        const prefix = `rx${randomUUID().replace(/-/g, '').slice(0, 10)}`;
        await client.appendToStream(`${prefix}-a`, event('One'));
        const second = await client.appendToStream(`${prefix}-b`, event('Two'));
        await client.appendToStream(`${prefix}-c`, event('Three'));
        const subscription = client.subscribeToAll({
          fromPosition: second.position!,
          filter: streamNameFilter({ regex: `^${prefix}-` }),
        });
        const [next] = await nextEvents(subscription, 1);
        expect(next.event!.streamId).toBe(`${prefix}-c`);
        await subscription.unsubscribe();
      });
    });

    describe('cluster discovery', () => {
      it('connects through a gossip seed (esdb+discover://), as a client of an EventStoreDB cluster does, and reads what was written', async () => {
        const name = stream();
        await client.appendToStream(name, event());
        // The same host and port, now named as a gossip seed: the client asks the cluster members, then connects to the leader.
        const seed = connectionString.replace(/^esdb:\/\//, 'esdb+discover://');
        const discovering = EventStoreDBClient.connectionString(seed);
        try {
          const events = await collect(discovering.readStream(name));
          expect(events).toHaveLength(1);
        } finally {
          await discovering.dispose();
        }
      });
    });

    describe('delete and tombstone', () => {
      it('soft-deletes a stream: reads say not found, and appending recreates it with continued revisions', async () => {
        const name = stream();
        await client.appendToStream(name, [event(), event()]);
        await client.deleteStream(name, { expectedRevision: 1n });
        expect(await collect(client.readStream(name)).catch((e) => e)).toBeInstanceOf(StreamNotFoundError);
        const again = await client.appendToStream(name, event('Reborn'));
        expect(again.nextExpectedRevision).toBe(2n);
        const stored = await collect(client.readStream(name));
        expect(stored.map((e) => e.event!.type)).toEqual(['Reborn']);
      });

      it('refuses a delete at a stale revision', async () => {
        const name = stream();
        await client.appendToStream(name, [event(), event()]);
        const error = await client.deleteStream(name, { expectedRevision: 0n }).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
      });

      it('tombstones a stream for good: reads and appends answer stream deleted', async () => {
        const name = stream();
        await client.appendToStream(name, event());
        await client.tombstoneStream(name);
        expect(await collect(client.readStream(name)).catch((e) => e)).toBeInstanceOf(StreamDeletedError);
        expect(await client.appendToStream(name, event()).catch((e) => e)).toBeInstanceOf(StreamDeletedError);
      });
    });
  },
);

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
