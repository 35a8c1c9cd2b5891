import { EventLog } from '../log/event-log';
import { decodeRecord, encodeAppend, encodeDelete, encodeTombstone, LogRecord, ProposedEvent, RecordKind, StoredEvent } from '../log/records';
import { CurrentRevision, ExpectedRevision, satisfies } from './expected-revision';
import { StreamState } from './stream-state';

export const MAX_APPEND_SIZE = 1_048_576;

export type WriteOutcome =
  | { ok: true; revision: CurrentRevision; position: number | undefined }
  | { ok: false; reason: 'wrong_expected_version'; current: CurrentRevision; expected: ExpectedRevision }
  | { ok: false; reason: 'stream_deleted' }
  | { ok: false; reason: 'too_large'; maxAppendSize: number };

export type StreamRead = { kind: 'events'; events: StoredEvent[] } | { kind: 'not_found' } | { kind: 'deleted' };

export type From = 'start' | 'end' | number;

interface PendingCommit {
  end: number;
  record: LogRecord;
}

const TICKS_PER_MS = 10_000n;

/**
 * The store's state: every stream and the $all sequence, rebuilt from the log
 * on start. Writes are validated against accepted state, queued on the log,
 * and applied to the readable state strictly in log order once durable.
 */
export class EventStoreEngine {
  private readonly streams = new Map<string, StreamState>();
  private readonly all: StoredEvent[] = [];
  private readonly byId = new Map<string, StoredEvent>();
  private readonly pending: PendingCommit[] = [];
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly log: EventLog) {}

  static async open(dataDir: string): Promise<{ engine: EventStoreEngine; truncatedBytes: number }> {
    const { log, frames, truncatedBytes } = await EventLog.open(dataDir);
    const engine = new EventStoreEngine(log);
    for (const frame of frames) {
      const record = decodeRecord(frame.offset, frame.payload);
      engine.accept(record);
      engine.apply(record);
    }
    return { engine, truncatedBytes };
  }

  get eventCount(): number {
    return this.all.length;
  }

  /** Durable $all events in position order; subscriptions walk it by index. */
  get allEvents(): readonly StoredEvent[] {
    return this.all;
  }

  stream(id: string): StreamState | undefined {
    return this.streams.get(id);
  }

  /** Called after every batch of records becomes readable. */
  onCommit(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async append(streamId: string, expected: ExpectedRevision, events: ProposedEvent[]): Promise<WriteOutcome> {
    const size = events.reduce((sum, e) => sum + e.data.length + e.metadata.length, 0);
    if (size > MAX_APPEND_SIZE) return { ok: false, reason: 'too_large', maxAppendSize: MAX_APPEND_SIZE };

    const stream = this.getOrCreate(streamId);
    if (stream.acceptedTombstoned) return { ok: false, reason: 'stream_deleted' };

    const current = stream.acceptedCurrent;
    const exact = expected.kind === 'exact' ? expected.revision : expected.kind === 'no_stream' ? -1 : undefined;
    if (exact !== undefined) {
      // EventStoreDB's guarantee: the same ids at the same place, right after the expected revision, are a repeat.
      // An append at the current revision is a new write, even with ids seen before.
      if (exact !== (current === 'no_stream' ? -1 : current)) {
        const repeat = this.repeatAt(stream, exact, events);
        if (!repeat) return { ok: false, reason: 'wrong_expected_version', current, expected };
        await this.log.waitDurable(repeat.position + 1);
        return { ok: true, revision: repeat.revision, position: repeat.position };
      }
    } else {
      // With any or stream_exists, recognising a repeat is best effort, as in EventStoreDB.
      const replay = this.findRetry(stream, events);
      if (replay === 'conflict') return { ok: false, reason: 'wrong_expected_version', current, expected };
      if (replay) {
        await this.log.waitDurable(replay.position + 1);
        return { ok: true, revision: replay.revision, position: replay.position };
      }
      if (!satisfies(expected, current)) return { ok: false, reason: 'wrong_expected_version', current, expected };
    }
    if (events.length === 0) return { ok: true, revision: current, position: undefined };

    const created = BigInt(Date.now()) * TICKS_PER_MS;
    const { payload } = encodeAppend(streamId, stream.acceptedLast + 1, events, created);
    const record = await this.write(payload);
    const last = (record as Extract<LogRecord, { kind: RecordKind.Append }>).events.at(-1)!;
    return { ok: true, revision: last.revision, position: last.position };
  }

  async delete(streamId: string, expected: ExpectedRevision, tombstone: boolean): Promise<WriteOutcome> {
    const stream = this.getOrCreate(streamId);
    if (stream.acceptedTombstoned) return { ok: false, reason: 'stream_deleted' };
    const current = stream.acceptedCurrent;
    if (!satisfies(expected, current)) return { ok: false, reason: 'wrong_expected_version', current, expected };
    const payload = tombstone ? encodeTombstone(streamId) : encodeDelete(streamId, stream.acceptedLast + 1);
    const record = await this.write(payload);
    return { ok: true, revision: current, position: (record as { position: number }).position };
  }

  readStream(streamId: string, from: From, direction: 'forwards' | 'backwards', count: number): StreamRead {
    const stream = this.streams.get(streamId);
    if (stream?.tombstoned) return { kind: 'deleted' };
    if (!stream || stream.isMissing) return { kind: 'not_found' };
    const { events, truncateBefore } = stream;
    if (direction === 'forwards') {
      const start = Math.max(truncateBefore, from === 'start' ? 0 : from === 'end' ? events.length : from);
      return { kind: 'events', events: events.slice(start, start + count) };
    }
    const start = Math.min(events.length - 1, from === 'start' ? truncateBefore : from === 'end' ? events.length - 1 : from);
    const out: StoredEvent[] = [];
    for (let i = start; i >= truncateBefore && out.length < count; i--) out.push(events[i]);
    return { kind: 'events', events: out };
  }

  /** Index in $all of the first event at or after `position`. */
  indexAtOrAfter(position: number): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.all[mid].position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.log.close();
  }

  /**
   * The last event of an earlier append of exactly these ids, written right
   * after `revision` in this stream; undefined when the ids are not there.
   */
  private repeatAt(stream: StreamState, revision: number, events: ProposedEvent[]): StoredEvent | undefined {
    if (events.length === 0) return undefined;
    let last: StoredEvent | undefined;
    for (let i = 0; i < events.length; i++) {
      const stored = this.byId.get(events[i].id);
      if (!stored || stored.streamId !== stream.id || stored.revision !== revision + 1 + i) return undefined;
      last = stored;
    }
    return last;
  }

  /**
   * A retried append (same event ids) must not write again (best effort). Returns the last
   * event of the original write when the whole batch matches it, 'conflict'
   * when only part of it does, and undefined for a fresh append.
   */
  private findRetry(stream: StreamState, events: ProposedEvent[]): StoredEvent | 'conflict' | undefined {
    if (events.length === 0) return undefined;
    const first = this.byId.get(events[0].id);
    if (!first) return events.some((e) => this.byId.has(e.id)) ? 'conflict' : undefined;
    let last = first;
    for (let i = 0; i < events.length; i++) {
      const stored = this.byId.get(events[i].id);
      if (!stored || stored.streamId !== stream.id || stored.revision !== first.revision + i) return 'conflict';
      last = stored;
    }
    return last;
  }

  private async write(payload: Buffer): Promise<LogRecord> {
    const { offset, durable } = this.log.append(payload);
    const record = decodeRecord(offset, payload);
    this.accept(record);
    this.pending.push({ end: this.log.nextOffset, record });
    await durable;
    this.drainCommits(this.log.nextDurableOffset);
    return record;
  }

  private drainCommits(durableEnd: number): void {
    let applied = 0;
    while (this.pending.length > applied && this.pending[applied].end <= durableEnd) {
      this.apply(this.pending[applied].record);
      applied++;
    }
    if (applied === 0) return;
    this.pending.splice(0, applied);
    for (const listener of this.listeners) listener();
  }

  /** Updates the state concurrency checks use. */
  private accept(record: LogRecord): void {
    const stream = this.getOrCreate(record.streamId);
    switch (record.kind) {
      case RecordKind.Append:
        for (const event of record.events) this.byId.set(event.id, event);
        stream.acceptedLast = record.events.at(-1)!.revision;
        break;
      case RecordKind.Delete:
        stream.acceptedTruncateBefore = record.truncateBefore;
        break;
      case RecordKind.Tombstone:
        stream.acceptedTombstoned = true;
        break;
    }
  }

  /** Makes a durable record visible to readers and subscribers. */
  private apply(record: LogRecord): void {
    const stream = this.getOrCreate(record.streamId);
    switch (record.kind) {
      case RecordKind.Append:
        for (const event of record.events) {
          stream.events.push(event);
          this.all.push(event);
        }
        break;
      case RecordKind.Delete:
        stream.truncateBefore = record.truncateBefore;
        break;
      case RecordKind.Tombstone:
        stream.tombstoned = true;
        break;
    }
  }

  private getOrCreate(id: string): StreamState {
    let stream = this.streams.get(id);
    if (!stream) {
      stream = new StreamState(id);
      this.streams.set(id, stream);
    }
    return stream;
  }
}
