import { ProjectedEvent } from '../projection';
import { HandlerLease } from './handler-lease';
import { CommitTarget, HandlerKind, SubscriptionHandler } from './handler';

export type HandlerState = 'standby' | 'catching-up' | 'live' | 'failed' | 'stopped';

/** What a runner reports of each handler it serves, every second, for the ops page and the settle waits. */
export interface HandlerStatus {
  name: string;
  kind: HandlerKind;
  /** What it follows: the ops page measures a reactor's lag from these. */
  eventTypes?: readonly string[];
  state: HandlerState;
  owner: string;
  generation?: string;
  checkpoint?: string;
  /** When the last applied event was written. */
  lastEventCreated?: string;
  /** How often the runner's subscription was dropped and taken up again. */
  resubscriptions: number;
  error?: string;
  updatedAt: string;
}

/**
 * One handler's place on a subscription runner: its lease, generation and
 * checkpoint, the events delivered to it and not yet committed, and its
 * state. Each handler commits on its own, so a slow or failing one holds
 * back no other.
 */
export class HandlerSlot {
  state: HandlerState = 'stopped';
  /** False while an operator (or a test) stopped this handler alone. */
  enabled = true;
  generation: string | undefined;
  checkpoint: bigint | undefined;
  lastEventCreated: Date | undefined;
  error: string | undefined;
  /** Held, but its generation and checkpoint must be read again (a rebuild swapped the generation in). */
  mustFollow = false;
  /** Events of its types past its checkpoint, delivered and not yet committed. */
  queue: ProjectedEvent[] = [];
  /** A server checkpoint past every queued event: the checkpoint may move there once they are committed. */
  advanceTo: bigint | undefined;
  /** It failed while its queue was full, and stopped taking events so that the others go on: it drains, then joins again. */
  overflowed = false;
  flushing: Promise<void> | undefined;
  /** Commit attempts that failed in a row: the backoff, and when to show the error. */
  commitFailures = 0;
  /**
   * The runner's subscription it is on. A handler started while a subscription
   * runs takes nothing from it, not even its checkpoints: that subscription may
   * have started past the handler's checkpoint, or filter out its types. It
   * joins on the next one, which starts from its checkpoint.
   */
  subscription = 0;
  /** Changes whenever the queue is thrown away, so that a flush of the old queue stops. */
  epoch = 0;
  /** Changes whenever the lease is lost or given up, so that a start-up under way notices. */
  tenure = 0;
  private readonly types: ReadonlySet<string>;

  constructor(
    readonly handler: SubscriptionHandler,
    readonly lease: HandlerLease,
  ) {
    this.types = new Set(handler.eventTypes);
  }

  get name(): string {
    return this.handler.name;
  }

  /** How its log lines and errors name it. */
  get label(): string {
    return `${this.handler.kind === 'view' ? 'projection' : 'reactor'} ${this.name}`;
  }

  /** Held, started, and on the subscription. */
  get following(): boolean {
    return this.enabled && !this.mustFollow && (this.state === 'catching-up' || this.state === 'live');
  }

  /** On that subscription and taking events from it (it has not stepped aside). */
  takesFrom(subscription: number): boolean {
    return this.following && this.subscription === subscription && !this.overflowed;
  }

  /** Whether an event delivered by that subscription is this handler's to commit. */
  takes(event: ProjectedEvent, subscription: number): boolean {
    return (
      this.takesFrom(subscription) &&
      this.types.has(event.type) &&
      (this.checkpoint === undefined || event.position > this.checkpoint)
    );
  }

  /** Forgets what was delivered and not committed: it comes again from the checkpoint. */
  discardQueue(): void {
    this.epoch++;
    this.queue = [];
    this.advanceTo = undefined;
    this.overflowed = false;
  }

  /** Where its next commit goes: as the live writer, under its fencing token. */
  commitTarget(): CommitTarget {
    const generation = this.generation!;
    return {
      name: this.name,
      generation,
      checkpoint: this.checkpoint,
      fence: { token: this.lease.fencingToken ?? '', liveGeneration: generation },
    };
  }

  /** Takes a committed checkpoint, which never moves back. */
  committed(checkpoint: bigint | undefined, events: ProjectedEvent[]): void {
    if (checkpoint === undefined || (this.checkpoint !== undefined && checkpoint <= this.checkpoint)) return;
    this.checkpoint = checkpoint;
    const last = events.filter((event) => event.position <= checkpoint).at(-1);
    if (last) this.lastEventCreated = last.created;
  }

  status(resubscriptions: number): HandlerStatus {
    return {
      name: this.name,
      kind: this.handler.kind,
      eventTypes: this.handler.eventTypes,
      state: this.state,
      owner: this.lease.owner,
      generation: this.generation,
      checkpoint: this.checkpoint?.toString(),
      lastEventCreated: this.lastEventCreated?.toISOString(),
      resubscriptions,
      error: this.error,
      updatedAt: new Date().toISOString(),
    };
  }
}
