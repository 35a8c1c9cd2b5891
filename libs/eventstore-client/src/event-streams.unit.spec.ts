import { Decider, Message } from '@app/domain';
import { InMemoryEventStore } from './adapters/in-memory-event-store';
import { CommandContext } from './event-metadata';
import { ConcurrencyError, EventStreams } from './event-streams';
import { ExpectedRevision, NewEvent } from './port/event-store.port';

type Counted = Message<'Counted', { total: number }>;
const counter: Decider<{ total: number }, Message<'Count', Record<string, never>>, Counted> = {
  initialState: () => ({ total: 0 }),
  // The event carries the running total, so a decision made on a stale state shows.
  decide: (_command, state) => [{ type: 'Counted', data: { total: state.total + 1 } }],
  evolve: (_state, event) => ({ total: event.data.total }),
};
const count = { type: 'Count' as const, data: {} };
let n = 0;
const context = (): CommandContext => ({
  correlationId: 'c',
  commandId: `cmd-${++n}`,
  partnerId: 'p',
  actor: 'spec',
  now: '2026-11-25T10:00:00.000Z',
});

/** A store where another process appends to the stream just before our first append lands. */
class RacedStore extends InMemoryEventStore {
  races = 1;
  async appendToStream(stream: string, events: NewEvent[], expected: ExpectedRevision) {
    if (this.races-- > 0)
      await super.appendToStream(
        stream,
        [{ id: `other-${n}-${this.races}`, type: 'Counted', data: { total: 100 }, metadata: {} }],
        'any',
      );
    return super.appendToStream(stream, events, expected);
  }
}

describe('EventStreams (read, decide, append with the expected revision)', () => {
  it('decides on the current state and appends with its revision', async () => {
    const streams = new EventStreams(new InMemoryEventStore());
    const first = await streams.handle('counter-1', counter, count, context());
    const second = await streams.handle('counter-1', counter, count, context());
    expect([first.revision, second.revision, second.state.total]).toEqual([0n, 1n, 2]);
  });

  it('race: another process wrote first; the command is decided again on the newer state, not appended on the stale one', async () => {
    const store = new RacedStore();
    const streams = new EventStreams(store);
    await streams.handle('counter-1', counter, count, context());
    expect((await store.readStream('counter-1')).map((e) => e.data.total)).toEqual([100, 101]);
  });

  it('queues commands on one stream inside a process: 25 at once all land, in order, without conflicts', async () => {
    const store = new InMemoryEventStore();
    const streams = new EventStreams(store);
    await Promise.all(
      Array.from({ length: 25 }, () => streams.handle('counter-1', counter, count, context(), { retries: 0 })),
    );
    expect((await store.readStream('counter-1')).map((e) => e.data.total)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
  });

  it('If-Match: a stale expected revision is refused with the current one, and nothing is appended', async () => {
    const store = new InMemoryEventStore();
    const streams = new EventStreams(store);
    await streams.handle('counter-1', counter, count, context());
    await streams.handle('counter-1', counter, count, context());
    const refusal = await streams
      .handle('counter-1', counter, count, context(), { expectedRevision: 0n })
      .catch((error) => error);
    expect(refusal).toBeInstanceOf(ConcurrencyError);
    expect(refusal).toMatchObject({ currentRevision: 1n, expectedRevision: 0n });
    expect(await store.readStream('counter-1')).toHaveLength(2);
  });

  it('gives up with a ConcurrencyError when conflicts keep winning', async () => {
    const store = new RacedStore();
    store.races = 100;
    const refusal = await new EventStreams(store)
      .handle('counter-1', counter, count, context(), { retries: 3 })
      .catch((error) => error);
    expect(refusal).toBeInstanceOf(ConcurrencyError);
  });

  it('decides several commands in turn, each on the state the ones before left, and appends their events together', async () => {
    const store = new InMemoryEventStore();
    const streams = new EventStreams(store);
    const handled = await streams.handle('counter-1', counter, [count, count, count], context());
    expect(handled.events.map((event) => event.data.total)).toEqual([1, 2, 3]);
    expect([handled.revision, handled.state.total]).toEqual([2n, 3]);
  });

  it('saves the read after a read: a command following aggregate appends on the state it folded', async () => {
    const store = new InMemoryEventStore();
    await new EventStreams(store).handle('counter-1', counter, count, context());
    const streams = new EventStreams(store);
    await streams.aggregate('counter-1', counter);
    const reads = jest.spyOn(store, 'readStream');
    await streams.handle('counter-1', counter, count, context());
    expect(reads).not.toHaveBeenCalled();
    expect((await store.readStream('counter-1')).map((e) => e.data.total)).toEqual([1, 2]);
  });

  it('recent: a stream this process wrote within maxAgeMs is not read; an older one, or one written by another process, is', async () => {
    const store = new InMemoryEventStore();
    const streams = new EventStreams(store);
    await streams.handle('counter-1', counter, count, context());
    await new EventStreams(store).handle('counter-1', counter, count, context());
    const reads = jest.spyOn(store, 'readStream');
    expect((await streams.recent('counter-1', counter, 60_000)).state.total).toBe(1);
    expect(reads).not.toHaveBeenCalled();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await streams.recent('counter-1', counter, 1)).state.total).toBe(2);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('recent: a stream last seen empty is read again, since another process may have created it', async () => {
    const store = new InMemoryEventStore();
    const streams = new EventStreams(store);
    await streams.aggregate('counter-1', counter);
    await new EventStreams(store).handle('counter-1', counter, count, context());
    expect((await streams.recent('counter-1', counter, 60_000)).state.total).toBe(1);
  });

  it("recent: reads rather than stand in an assumed state, or another decider's fold", async () => {
    const store = new InMemoryEventStore();
    await new EventStreams(store).handle('counter-1', counter, count, context());
    const other: typeof counter = { ...counter };
    const streams = new EventStreams(store);
    const reads = jest.spyOn(store, 'readStream');
    await streams.assume('counter-1', counter, { events: [{ type: 'Counted', data: { total: 7 } }], revision: 0n });
    expect((await streams.recent('counter-1', counter, 60_000)).state.total).toBe(1);
    expect((await streams.recent('counter-1', other, 60_000)).state.total).toBe(1);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('keeps the newer state when a read that began before a write ends after it', async () => {
    const store = new InMemoryEventStore();
    const streams = new EventStreams(store);
    await streams.handle('counter-1', counter, count, context());
    let release!: () => void;
    const original = store.readStream.bind(store);
    jest.spyOn(store, 'readStream').mockImplementationOnce(async (...args) => {
      const events = await original(...args);
      await new Promise<void>((resolve) => (release = resolve));
      return events;
    });
    const slowRead = streams.aggregate('counter-1', counter);
    await new Promise((resolve) => setImmediate(resolve));
    await streams.handle('counter-1', counter, count, context());
    release();
    await slowRead;
    const readsSoFar = jest.mocked(store.readStream).mock.calls.length;
    expect((await streams.recent('counter-1', counter, 60_000)).revision).toBe(1n);
    expect(jest.mocked(store.readStream).mock.calls.length).toBe(readsSoFar);
  });

  it('forgets the kept state when an append fails for any reason, since it may have landed', async () => {
    const store = new InMemoryEventStore();
    const streams = new EventStreams(store);
    await streams.handle('counter-1', counter, count, context());
    const original = store.appendToStream.bind(store);
    jest.spyOn(store, 'appendToStream').mockImplementationOnce(async (...args) => {
      await original(...args);
      throw new Error('connection reset after the write');
    });
    await expect(streams.handle('counter-1', counter, count, context())).rejects.toThrow('connection reset');
    expect((await streams.recent('counter-1', counter, 60_000)).state.total).toBe(2);
  });

  it('expectNew: a new stream is decided without a read and created with no_stream', async () => {
    const store = new InMemoryEventStore();
    const reads = jest.spyOn(store, 'readStream');
    const appends = jest.spyOn(store, 'appendToStream');
    await new EventStreams(store).handle('counter-new', counter, count, context(), { expectNew: true });
    expect(reads).not.toHaveBeenCalled();
    expect(appends.mock.calls[0][2]).toBe('no_stream');
  });

  it('expectNew on a stream that exists after all: the store refuses, and the command is decided again on a read', async () => {
    const store = new InMemoryEventStore();
    await new EventStreams(store).handle('counter-1', counter, count, context());
    const handled = await new EventStreams(store).handle('counter-1', counter, count, context(), { expectNew: true });
    expect(handled.events).toEqual([{ type: 'Counted', data: { total: 2 } }]);
    expect((await store.readStream('counter-1')).map((e) => e.data.total)).toEqual([1, 2]);
  });

  it('expectNew, run again with the same command after the stream moved on: decided on a read, not taken for a repeat of the first append', async () => {
    const store = new InMemoryEventStore();
    const same = context();
    await new EventStreams(store).handle('counter-1', counter, count, same, { expectNew: true });
    await new EventStreams(store).handle('counter-1', counter, count, context());
    const again = await new EventStreams(store).handle('counter-1', counter, count, same, { expectNew: true });
    expect([again.revision, again.state.total]).toEqual([2n, 3]);
    expect((await store.readStream('counter-1')).map((e) => e.data.total)).toEqual([1, 2, 3]);
  });

  it('assume, run again with the same command after the stream moved on: decided on a read, not taken for a repeat of the first append', async () => {
    const store = new InMemoryEventStore();
    await new EventStreams(store).handle('counter-1', counter, count, context());
    const known = { events: [{ type: 'Counted', data: { total: 1 } }], revision: 0n };
    const same = context();
    const first = new EventStreams(store);
    await first.assume('counter-1', counter, known);
    await first.handle('counter-1', counter, count, same);
    await new EventStreams(store).handle('counter-1', counter, count, context());
    const second = new EventStreams(store);
    await second.assume('counter-1', counter, known);
    const again = await second.handle('counter-1', counter, count, same);
    expect([again.revision, again.state.total]).toEqual([3n, 4]);
  });

  it('derives event ids from the command, so one command id names the same events', async () => {
    const store = new InMemoryEventStore();
    const streams = new EventStreams(store);
    const same = context();
    await streams.handle('a', counter, count, same);
    await streams.handle('b', counter, count, same);
    const [a, b] = [(await store.readStream('a'))[0].id, (await store.readStream('b'))[0].id];
    expect(a).not.toBe(b); // per stream
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('EventStreams keeps the state it last folded or wrote', () => {
  /** Counts reads; another process can write behind our back. */
  class CountingStore extends InMemoryEventStore {
    reads = 0;
    async readStream(stream: string, options?: { maxCount?: number }) {
      this.reads++;
      return super.readStream(stream, options);
    }
  }
  const otherProcessAppends = (store: InMemoryEventStore, total: number) =>
    store.appendToStream('counter-1', [{ id: `other-${++n}`, type: 'Counted', data: { total }, metadata: {} }], 'any');

  it('decides the next command on it, so a stream this process writes is not read again', async () => {
    const store = new CountingStore();
    const streams = new EventStreams(store);
    for (let i = 0; i < 5; i++) await streams.handle('counter-1', counter, count, context());
    expect(store.reads).toBe(1);
    expect((await store.readStream('counter-1')).map((e) => e.data.total)).toEqual([1, 2, 3, 4, 5]);
  });

  it('race: when another process wrote meanwhile, the store refuses the stale revision and the command is decided again on a fresh read', async () => {
    const store = new CountingStore();
    const streams = new EventStreams(store);
    await streams.handle('counter-1', counter, count, context());
    await otherProcessAppends(store, 100);
    const handled = await streams.handle('counter-1', counter, count, context());
    expect(handled.state.total).toBe(101);
    expect((await store.readStream('counter-1')).map((e) => e.data.total)).toEqual([1, 100, 101]);
  });

  it('never trusts it for a refusal, a no-op or an If-Match: those are decided again on a fresh read', async () => {
    const store = new CountingStore();
    const streams = new EventStreams(store);
    // Refuses below `floor`, does nothing at `idleAt`: on a stale state it would decide wrongly.
    let floor = 0;
    let idleAt = -1;
    const gated: typeof counter = {
      ...counter,
      decide: (command, state) => {
        if (state.total < floor) throw new Error('too low');
        return state.total === idleAt ? [] : counter.decide(command, state);
      },
    };
    await streams.handle('counter-1', gated, count, context());
    await otherProcessAppends(store, 100);
    floor = 100;
    expect((await streams.handle('counter-1', gated, count, context())).state.total).toBe(101);

    await otherProcessAppends(store, 200);
    const current = (await store.readStream('counter-1')).length - 1;
    const withIfMatch = await streams.handle('counter-1', gated, count, context(), {
      expectedRevision: BigInt(current),
    });
    expect(withIfMatch.state.total).toBe(201);

    // The cached state (201) says nothing to do; the store has 300 by now, where there is.
    await otherProcessAppends(store, 300);
    idleAt = 201;
    const decidedAfresh = await streams.handle('counter-1', gated, count, context());
    expect(decidedAfresh.state.total).toBe(301);
  });
});

describe('in-memory event store (EventStoreDB’s rules for repeated appends)', () => {
  const event = (id: string): NewEvent => ({ id, type: 'T', data: {}, metadata: {} });

  it('recognises a repeat with an exact expected revision at the same place, and writes nothing', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('s', [event('a'), event('b')], 'no_stream');
    expect(await store.appendToStream('s', [event('a'), event('b')], 'no_stream')).toMatchObject({
      nextExpectedRevision: 1n,
    });
    expect(await store.readStream('s')).toHaveLength(2);
  });

  it('writes again at the current revision even with ids seen before', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('s', [event('a')], 'no_stream');
    await store.appendToStream('s', [event('a')], 0n);
    expect((await store.readStream('s')).map((e) => e.id)).toEqual(['a', 'a']);
  });

  it('refuses a wrong expected revision, naming the current one', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('s', [event('a')], 'no_stream');
    await expect(store.appendToStream('s', [event('b')], 'no_stream')).rejects.toMatchObject({ actualRevision: 0n });
  });
});

describe('in-memory event store subscriptions', () => {
  const event = (id: string, type = 'T'): NewEvent => ({ id, type, data: {}, metadata: {} });

  it('hands over the stored events after a position, says when it caught up, then follows live appends of its types', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('s', [event('a'), event('b', 'Other'), event('c')], 'no_stream');
    const seen: string[] = [];
    const subscription = store.subscribeToAll({ after: 1n, eventTypes: ['T'], onCheckpoint: () => undefined });
    subscription.on('event', (e) => seen.push(e.id));
    await new Promise<void>((resolve) => subscription.on('caughtUp', resolve));
    expect(seen).toEqual(['c']);
    await store.appendToStream('s', [event('d')], 2n);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['c', 'd']);
    await subscription.unsubscribe();
  });

  it('keeps events waiting while paused, and counts them', async () => {
    const store = new InMemoryEventStore();
    const seen: string[] = [];
    const subscription = store.subscribeToAll({ eventTypes: ['T'], onCheckpoint: () => undefined });
    subscription.on('event', (e) => seen.push(e.id));
    await new Promise<void>((resolve) => subscription.on('caughtUp', resolve));
    subscription.pause();
    await store.appendToStream('s', [event('a'), event('b')], 'no_stream');
    expect([seen, subscription.buffered]).toEqual([[], 2]);
    subscription.resume();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['a', 'b']);
    await subscription.unsubscribe();
  });
});
