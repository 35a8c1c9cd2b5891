import { AppendResult, EventStore, ExpectedRevision, NewEvent, StoredEvent, WrongExpectedRevisionError } from '../port/event-store.port';

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

  async readStream(stream: string, options: { maxCount?: number } = {}): Promise<StoredEvent[]> {
    const events = this.streams.get(stream) ?? [];
    return events.slice(0, options.maxCount ?? events.length).map(copy);
  }

  async appendToStream(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const existing = this.streams.get(stream) ?? [];
    const current = BigInt(existing.length) - 1n;
    const repeatFrom = expected === 'any' ? existing.length - events.length : expected === 'no_stream' ? 0 : Number(expected) + 1;
    const repeat = events.length > 0 && repeatFrom >= 0 && events.every((event, i) => existing[repeatFrom + i]?.id === event.id);
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
    return { nextExpectedRevision: BigInt(existing.length) - 1n, position: existing.at(-1)?.position };
  }

  async readAll(options: { after?: bigint; maxCount: number }): Promise<StoredEvent[]> {
    const start = options.after === undefined ? 0 : Number(options.after);
    return this.all.slice(start, start + options.maxCount).map(copy);
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.all.length);
  }

  async ping(): Promise<void> {}

  /** Every event, for assertions. */
  events(): StoredEvent[] {
    return this.all.map(copy);
  }
}

const copy = (event: StoredEvent): StoredEvent => ({ ...event, data: structuredClone(event.data), metadata: structuredClone(event.metadata) });
