import { BACKWARDS, END, EventStoreDBClient, jsonEvent, ResolvedEvent, START, StreamNotFoundError, WrongExpectedVersionError } from '@eventstore/db-client';
import { AppendResult, EventStore, ExpectedRevision, NewEvent, StoredEvent, WrongExpectedRevisionError } from '../port/event-store.port';

const toStored = ({ event, commitPosition }: ResolvedEvent): StoredEvent => ({
  id: event!.id,
  type: event!.type,
  data: event!.data as Record<string, unknown>,
  metadata: (event!.metadata ?? {}) as Record<string, unknown>,
  streamId: event!.streamId,
  revision: event!.revision,
  position: commitPosition ?? event!.position?.commit ?? 0n,
  created: event!.created,
});

/**
 * The port on the official client, against a real EventStoreDB or the
 * embedded one alike. Reads are always drained to their end: a read left
 * half-consumed keeps its gRPC call open, and dispose() then waits forever.
 */
export class EsdbEventStore extends EventStore {
  constructor(readonly client: EventStoreDBClient) {
    super();
  }

  async readStream(stream: string, options: { maxCount?: number; deadline?: number } = {}): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, options)) events.push(toStored(resolved));
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return events;
  }

  async appendToStream(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map((event) => jsonEvent(event)),
        { expectedRevision: expected },
      );
      return { nextExpectedRevision: result.nextExpectedRevision, position: result.position?.commit };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      throw new WrongExpectedRevisionError(stream, typeof error.actualVersion === 'bigint' ? error.actualVersion : -1n);
    }
  }

  async readAll(options: { after?: bigint; maxCount: number }): Promise<StoredEvent[]> {
    const from = options.after === undefined ? START : { commit: options.after + 1n, prepare: options.after + 1n };
    const events: StoredEvent[] = [];
    for await (const resolved of this.client.readAll({ fromPosition: from, maxCount: options.maxCount })) {
      if (resolved.event) events.push(toStored(resolved));
    }
    return events;
  }

  async headPosition(): Promise<bigint> {
    let head = 0n;
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) head = resolved.commitPosition ?? head;
    return head;
  }

  /** Reads a stream that does not exist, with a short deadline: one cheap round trip. */
  async ping(): Promise<void> {
    await this.readStream('health-probe', { maxCount: 1, deadline: 2_000 });
  }
}
