import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { Decider, Message } from '@app/domain';
import { currentVersionOf, storedVersionOf, upcast } from '@app/event-catalog';
import { CommandContext, EventMetadata, metadataFor } from './event-metadata';
import { EventStore, NewEvent, WrongExpectedRevisionError } from './port/event-store.port';

export interface RecordedHistoryEvent {
  id: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Partial<EventMetadata>;
  created: string;
  position?: string;
}

/** A stream's revision: the last event's number, or -1n when it has none. */
export type Revision = bigint;
export const NO_STREAM: Revision = -1n;

/** The caller's view of the stream is stale, or conflicts kept winning. */
export class ConcurrencyError extends Error {
  constructor(
    readonly stream: string,
    readonly currentRevision: Revision,
    readonly expectedRevision: Revision | undefined,
  ) {
    super(
      expectedRevision === undefined
        ? `stream ${stream} kept changing while the command was retried`
        : `stream ${stream} is at revision ${currentRevision}, not ${expectedRevision}`,
    );
    this.name = 'ConcurrencyError';
  }
}

export interface Folded<State> {
  state: State;
  revision: Revision;
  /** $all commit position of the last event folded: where this state becomes visible to views. */
  position?: bigint;
}

export interface Handled<State, Event> extends Folded<State> {
  /** Events this command appended; empty when it changed nothing. */
  events: Event[];
}

/** A stream's last fold in this process; `assumed` when it was not read or written but taken on trust (see assume). */
interface Cached<State> {
  decider: object;
  folded: Folded<State>;
  assumed: boolean;
  /** When it was read or written (performance.now()), for `recent`. */
  at: number;
}

export interface HandleOptions {
  /** From If-Match: the revision the caller decided on. No retries then. */
  expectedRevision?: Revision;
  /** Retries after a conflicting append when no revision was given. */
  retries?: number;
  /**
   * The stream is new (its id was just made): decide on the initial state
   * without reading, and append with no_stream. Should it exist after all (a
   * retry with the same id), the store refuses and the command is decided
   * again on a read.
   */
  expectNew?: boolean;
}

const DEFAULT_RETRIES = 10;
/** Streams whose last folded state a process keeps, most recently used first out. */
const FOLDED_CACHE_SIZE = 10_000;

const EVENT_ID_NAMESPACE = '0f4ad1d6-3c6e-4b43-9a55-6b1b4e0f8e21';

/**
 * Read, decide, append with the expected revision: the one way commands change
 * a stream. Event ids derive from the command id, so a retried command whose
 * first append did land is recognised by the store and not written twice.
 */
@Injectable()
export class EventStreams {
  /** Commands on one stream queue up inside a process; only other processes can conflict. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /**
   * The last state this process folded or wrote for a stream, with its
   * revision. A command decided on it appends with that revision, so the
   * store itself proves it fresh and the read is saved; when another process
   * wrote meanwhile, the append is refused and the command is decided again
   * on a fresh read. Only an append is trusted to it: a refusal or a no-op
   * decided on a cached state is decided again on a fresh read.
   */
  private readonly folded = new Map<string, Cached<unknown>>();

  constructor(private readonly store: EventStore) {}

  async aggregate<State, Event extends Message>(
    stream: string,
    decider: Pick<Decider<State, never, Event>, 'evolve' | 'initialState'>,
  ): Promise<Folded<State>> {
    let state = decider.initialState();
    let revision = NO_STREAM;
    let position: bigint | undefined;
    for (const event of await this.store.readStream(stream)) {
      state = decider.evolve(state, asMessage<Event>(event));
      revision = event.revision;
      position = event.position;
    }
    // Kept, so that a command following this read (load, check, then decide) decides without reading again.
    this.remember(stream, decider, { state, revision, position });
    return { state, revision, position };
  }

  /**
   * The stream as this process last read or wrote it, if that was at most
   * `maxAgeMs` ago; otherwise read. Only for checks that a later decision
   * proves again on a fresh read (a cart line checks the customer's
   * subscription, and the purchase checks every line on a fresh read of the
   * customer): another process's write may be missed for that long. A stream
   * last seen empty is read again, since another process may have created it.
   */
  async recent<State, Event extends Message>(
    stream: string,
    decider: Pick<Decider<State, never, Event>, 'evolve' | 'initialState'>,
    maxAgeMs: number,
  ): Promise<Folded<State>> {
    const entry = this.folded.get(stream);
    const fresh = entry && performance.now() - entry.at <= maxAgeMs;
    if (fresh && !entry.assumed && entry.folded.revision !== NO_STREAM && entry.decider === decider) {
      return entry.folded as Folded<State>;
    }
    return this.aggregate(stream, decider);
  }

  /**
   * Takes a stream's events known from elsewhere (e.g. the event a job
   * carries) as its last fold, without reading it. The next command decided
   * on it appends with that revision, so the store proves it current; if the
   * stream moved on, the command is decided again on a read.
   */
  async assume<State, Event extends Message>(
    stream: string,
    decider: Pick<Decider<State, never, Event>, 'evolve' | 'initialState'>,
    known: {
      events: Array<{ type: string; data: unknown; metadata?: unknown }>;
      revision: Revision;
      position?: bigint;
    },
  ): Promise<Folded<State>> {
    const state = known.events.reduce(
      (folded, event) => decider.evolve(folded, asMessage<Event>(event)),
      decider.initialState(),
    );
    const folded = { state, revision: known.revision, position: known.position };
    this.remember(stream, decider, folded, { assumed: true });
    return folded;
  }

  /** Every event of a stream with its metadata and place in the store, for auditors. */
  async history(stream: string): Promise<RecordedHistoryEvent[]> {
    return (await this.store.readStream(stream)).map((event) => ({
      id: event.id,
      revision: Number(event.revision),
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      created: event.created.toISOString(),
      position: event.position.toString(),
    }));
  }

  /** Every event of a stream as the domain reads it ([] when it does not exist): for copying events, not folding them. */
  async events<Event extends Message>(stream: string): Promise<Event[]> {
    return (await this.store.readStream(stream)).map((event) => asMessage<Event>(event));
  }

  /** The first `count` events of a stream ([] when it does not exist). */
  async readFirst<Event extends Message>(stream: string, count: number): Promise<Event[]> {
    return (await this.store.readStream(stream, { maxCount: count })).map((event) => asMessage<Event>(event));
  }

  handle<State, Command extends Message, Event extends Message>(
    stream: string,
    decider: Decider<State, Command, Event>,
    command:
      Commands<NoInfer<Command>> | ((state: State) => Commands<NoInfer<Command>> | Promise<Commands<NoInfer<Command>>>),
    context: CommandContext,
    options: HandleOptions = {},
  ): Promise<Handled<State, Event>> {
    const previous = this.queues.get(stream) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => this.decideAndAppend(stream, decider, command, context, options));
    this.queues.set(stream, run);
    void run
      .catch(() => undefined)
      .then(() => {
        if (this.queues.get(stream) === run) this.queues.delete(stream);
      });
    return run;
  }

  private async decideAndAppend<State, Command extends Message, Event extends Message>(
    stream: string,
    decider: Decider<State, Command, Event>,
    command: Commands<Command> | ((state: State) => Commands<Command> | Promise<Commands<Command>>),
    context: CommandContext,
    options: HandleOptions,
  ): Promise<Handled<State, Event>> {
    const retries = options.expectedRevision === undefined ? (options.retries ?? DEFAULT_RETRIES) : 0;
    let cached: { folded: Folded<State>; assumed: boolean } | undefined =
      this.cachedFold<State>(stream, decider) ??
      (options.expectNew
        ? { folded: { state: decider.initialState(), revision: NO_STREAM }, assumed: true }
        : undefined);
    for (let attempt = 0; ;) {
      const fromCache = cached !== undefined;
      const assumed = cached?.assumed ?? false;
      const { state, revision, position } = cached?.folded ?? (await this.aggregate(stream, decider));
      cached = undefined;
      let events: Event[];
      try {
        // Built first: it may refuse (e.g. not this partner's) before a revision is compared.
        const decided = typeof command === 'function' ? await command(state) : command;
        if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
          if (fromCache) continue;
          throw new ConcurrencyError(stream, revision, options.expectedRevision);
        }
        events = decideInTurn(decider, decided, state);
      } catch (error) {
        if (fromCache) continue;
        throw error;
      }
      if (events.length === 0) {
        if (fromCache) continue;
        return { state, revision, events, position };
      }
      try {
        const result = await this.store.appendToStream(
          stream,
          this.toNew(events, context, stream, assumed),
          revision === NO_STREAM ? 'no_stream' : revision,
        );
        const evolved = events.reduce((folded, event) => decider.evolve(folded, event), state);
        const written = { state: evolved, revision: result.nextExpectedRevision, position: result.position };
        this.remember(stream, decider, written);
        return { ...written, events };
      } catch (error) {
        // Whatever failed, the append may have landed: the kept state no longer stands for the stream.
        this.folded.delete(stream);
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (fromCache) continue;
        if (attempt >= retries) throw new ConcurrencyError(stream, error.actualRevision, options.expectedRevision);
        attempt++;
        // Another process wrote first: back off a little, then decide again on the newer state.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  /** Only a state folded the same way (same decider) stands in for a read. */
  private cachedFold<State>(stream: string, decider: object): { folded: Folded<State>; assumed: boolean } | undefined {
    const entry = this.folded.get(stream);
    return entry && entry.decider === decider
      ? { folded: entry.folded as Folded<State>, assumed: entry.assumed }
      : undefined;
  }

  private remember<State>(stream: string, decider: object, folded: Folded<State>, { assumed } = { assumed: false }) {
    // A read that was slower than a later write must not put the older state back.
    const kept = this.folded.get(stream);
    if (kept && !kept.assumed && kept.folded.revision > folded.revision) return;
    this.folded.delete(stream);
    this.folded.set(stream, { decider, folded, assumed, at: performance.now() });
    if (this.folded.size > FOLDED_CACHE_SIZE) this.folded.delete(this.folded.keys().next().value!);
  }

  /**
   * Event ids derive from the command, so that the store recognises a repeat
   * of an append that landed. Not for a decision on an assumed state (one
   * known from elsewhere, or a new stream's initial state): two runs of the
   * same command on the same assumption would repeat each other's append,
   * and the store would take the second for the first and say yes while the
   * stream had moved on. With ids of its own, such an append is refused, and
   * the command is decided again on a read.
   */
  private toNew(events: Message[], context: CommandContext, stream: string, assumed: boolean): NewEvent[] {
    const metadata = metadataFor(context);
    return events.map((event, index) => {
      // Version 1 is the absence of schemaVersion, as on every event written before versions existed.
      const version = currentVersionOf(event.type) ?? 1;
      return {
        id: assumed ? randomUUID() : uuidv5(`${stream}/${context.commandId}/${index}`, EVENT_ID_NAMESPACE),
        type: event.type,
        data: event.data as Record<string, unknown>,
        metadata: version > 1 ? { ...metadata, schemaVersion: version } : { ...metadata },
      };
    });
  }
}

/**
 * One command, or several decided in turn, each on the state the ones before
 * it left: their events are appended together, so they land or fail as one.
 */
export type Commands<Command> = Command | readonly Command[];

function decideInTurn<State, Command extends Message, Event extends Message>(
  decider: Decider<State, Command, Event>,
  commands: Commands<Command>,
  state: State,
): Event[] {
  if (!Array.isArray(commands)) return decider.decide(commands as Command, state);
  const events: Event[] = [];
  for (const command of commands as readonly Command[]) {
    const decided = decider.decide(command, state);
    state = decided.reduce((folded, event) => decider.evolve(folded, event), state);
    events.push(...decided);
  }
  return events;
}

/** A stored event as the domain reads it: in its type's current shape, whatever version it was written at (see libs/event-catalog). */
function asMessage<Event extends Message>(event: { type: string; data: unknown; metadata?: unknown }): Event {
  return {
    type: event.type,
    data: upcast(event.type, event.data, storedVersionOf(event.metadata)),
  } as unknown as Event;
}
