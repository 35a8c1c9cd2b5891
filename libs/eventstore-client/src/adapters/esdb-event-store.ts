import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  jsonEvent,
  ResolvedEvent,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
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

const escapeRegex = (type: string) => type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

  /**
   * Reads from the event at `after` itself and leaves it out: EventStoreDB's
   * positions are byte offsets in its log, and it refuses one that falls
   * inside a record, as `after + 1` does.
   */
  async readAll({ after, maxCount }: { after?: bigint; maxCount: number }): Promise<StoredEvent[]> {
    const from = after === undefined ? START : { commit: after, prepare: after };
    const events: StoredEvent[] = [];
    for await (const resolved of this.client.readAll({
      fromPosition: from,
      maxCount: after === undefined ? maxCount : maxCount + 1,
    })) {
      if (!resolved.event) continue;
      const event = toStored(resolved);
      if (after === undefined || event.position > after) events.push(event);
    }
    return events.slice(0, maxCount);
  }

  async headPosition(): Promise<bigint> {
    let head = 0n;
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }))
      head = resolved.commitPosition ?? head;
    return head;
  }

  /** A server-side filter on exactly the types asked for, with a checkpoint as often as the server allows. */
  subscribeToAll({ after, eventTypes, onCheckpoint }: SubscribeToAllOptions): AllSubscription {
    const subscription = this.client.subscribeToAll({
      fromPosition: after === undefined ? START : { commit: after, prepare: after },
      filter: eventTypeFilter({
        regex: `^(${eventTypes.map(escapeRegex).join('|')})$`,
        maxSearchWindow: 32,
        checkpointInterval: 1,
        checkpointReached: (_subscription, position) => onCheckpoint(position.commit),
      }),
    });
    const wrapper: AllSubscription = {
      on(event: 'event' | 'caughtUp' | 'end' | 'error', listener: (arg: never) => void) {
        if (event === 'event')
          subscription.on('data', (resolved: ResolvedEvent) =>
            (listener as (e: StoredEvent) => void)(toStored(resolved)),
          );
        else subscription.on(event, listener as () => void);
        return wrapper;
      },
      pause: () => subscription.pause(),
      resume: () => subscription.resume(),
      isPaused: () => subscription.isPaused(),
      get buffered() {
        return subscription.readableLength;
      },
      unsubscribe: () => subscription.unsubscribe(),
    };
    return wrapper;
  }

  /** Reads a stream that does not exist, with a short deadline: one cheap round trip. */
  async ping(): Promise<void> {
    await this.readStream('health-probe', { maxCount: 1, deadline: 2_000 });
  }
}
