import { EventEmitter } from 'node:events';
import {
  AllSubscription,
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  StoredEvent,
  SubscribeToAllOptions,
  WrongExpectedRevisionError,
} from '../port/event-store.port';

/**
 * The port in memory, for fast tests of handlers, fulfilment and reactors
 * (as Emmett's in-memory event store). It keeps EventStoreDB's rules for
 * expected revisions and repeated appends: with an exact expected revision,
 * the same ids at the same place are a repeat; with `any`, a repeat of the
 * stream's last append is recognised (best effort).
 */
export class InMemoryEventStore extends EventStore {
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly all: StoredEvent[] = [];
  private readonly appended = new EventEmitter().setMaxListeners(0);

  async readStream(stream: string, options: { maxCount?: number } = {}): Promise<StoredEvent[]> {
    const events = this.streams.get(stream) ?? [];
    return events.slice(0, options.maxCount ?? events.length).map(copy);
  }

  async appendToStream(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const existing = this.streams.get(stream) ?? [];
    const current = BigInt(existing.length) - 1n;
    const repeatFrom =
      expected === 'any' ? existing.length - events.length : expected === 'no_stream' ? 0 : Number(expected) + 1;
    const repeat =
      events.length > 0 && repeatFrom >= 0 && events.every((event, i) => existing[repeatFrom + i]?.id === event.id);
    const exact = expected === 'no_stream' ? -1n : expected;
    if (repeat && exact !== current) {
      const last = existing[repeatFrom + events.length - 1];
      return { nextExpectedRevision: last.revision, position: last.position };
    }
    if (expected !== 'any' && exact !== current) throw new WrongExpectedRevisionError(stream, current);
    const created = new Date();
    for (const event of events) {
      const stored: StoredEvent = {
        ...structuredClone(event),
        streamId: stream,
        revision: BigInt(existing.length),
        position: BigInt(this.all.length + 1),
        created,
      };
      existing.push(stored);
      this.all.push(stored);
    }
    this.streams.set(stream, existing);
    if (events.length > 0) this.appended.emit('appended');
    return { nextExpectedRevision: BigInt(existing.length) - 1n, position: existing.at(-1)?.position };
  }

  async readAll(options: { after?: bigint; maxCount: number }): Promise<StoredEvent[]> {
    const start = options.after === undefined ? 0 : Number(options.after);
    return this.all.slice(start, start + options.maxCount).map(copy);
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.all.length);
  }

  /** The stored events after `after`, then `caughtUp`, then each new append; paused, they wait. */
  subscribeToAll({ after, eventTypes, onCheckpoint }: SubscribeToAllOptions): AllSubscription {
    const emitter = new EventEmitter();
    const types = new Set(eventTypes);
    const queue: StoredEvent[] = [];
    let next = after === undefined ? 0 : Number(after);
    let paused = false;
    let caughtUp = false;
    let stopped = false;
    const drain = () => {
      while (!stopped && !paused && queue.length > 0) emitter.emit('event', copy(queue.shift()!));
    };
    const pull = () => {
      if (stopped) return;
      for (; next < this.all.length; next++) if (types.has(this.all[next].type)) queue.push(this.all[next]);
      drain();
      if (!caughtUp && queue.length === 0) {
        caughtUp = true;
        emitter.emit('caughtUp');
      }
      onCheckpoint(BigInt(next));
    };
    this.appended.on('appended', pull);
    setImmediate(pull);
    const subscription: AllSubscription = {
      on(event: 'event' | 'caughtUp' | 'end' | 'error', listener: (arg: never) => void) {
        emitter.on(event, listener as (arg: unknown) => void);
        return subscription;
      },
      pause: () => void (paused = true),
      resume: () => {
        paused = false;
        setImmediate(drain);
      },
      isPaused: () => paused,
      get buffered() {
        return queue.length;
      },
      unsubscribe: async () => {
        stopped = true;
        this.appended.off('appended', pull);
      },
    };
    return subscription;
  }

  async ping(): Promise<void> {}

  /** Every event, for assertions. */
  events(): StoredEvent[] {
    return this.all.map(copy);
  }
}

const copy = (event: StoredEvent): StoredEvent => ({
  ...event,
  data: structuredClone(event.data),
  metadata: structuredClone(event.metadata),
});
