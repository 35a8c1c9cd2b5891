import { AllSubscription, EventStore } from '@app/eventstore-client';
import { toProjectedEvent } from './all-stream';
import { Redis } from 'ioredis';
import { ProjectedEvent, Projection } from '../projection';
import { INITIAL_GENERATION, viewKeys } from '../view-keys';
import { applyBatch, FencedOutError, PoisonEventError } from './apply-batch';
import { ProjectionLock } from './projection-lock';

export type BatchCommit = typeof applyBatch;

export type RunnerState = 'standby' | 'catching-up' | 'live' | 'failed' | 'stopped';

export interface ProjectionStatus {
  name: string;
  /** What it follows: the ops page measures a reactor's lag from these. */
  eventTypes?: readonly string[];
  state: RunnerState;
  owner: string;
  generation?: string;
  checkpoint?: string;
  /** When the last applied event was written. */
  lastEventCreated?: string;
  resubscriptions: number;
  error?: string;
  updatedAt: string;
}

export interface RunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const MAX_BATCH = 500;
const MAX_BUFFER = 2_000;
const STANDBY_RETRY_MS = 2_000;
const MAX_BACKOFF_MS = 5_000;
/** Commits failing this many times in a row are shown as the runner's error: an event a reactor can never handle looks like this. */
const FAILURES_SHOWN = 5;

/**
 * Keeps one projection's views up to date: a filtered catch-up subscription
 * to $all from the stored checkpoint, applied in batches whose view writes and
 * checkpoint commit together. Only the holder of the projection's lock runs;
 * other replicas wait in standby. A dropped subscription resumes from the last
 * committed checkpoint with backoff; an event the projection cannot apply
 * stops this projection alone, with an error naming the event.
 */
export class ProjectionRunner {
  private state: RunnerState = 'stopped';
  private readonly lock: ProjectionLock;
  private subscription: AllSubscription | undefined;
  private buffer: ProjectedEvent[] = [];
  private advanceTo: bigint | undefined;
  private flushing: Promise<void> | undefined;
  private generation: string | undefined;
  private checkpoint: bigint | undefined;
  private lastEventCreated: Date | undefined;
  private resubscriptions = 0;
  private failures = 0;
  private commitFailures = 0;
  private error: string | undefined;
  private stopped = true;
  private acquiring = false;
  private acquireAgain = false;
  private epoch = 0;
  private statusTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    /** A connection of this runner's own. */
    private readonly redis: Redis,
    readonly projection: Projection,
    private readonly logger: RunnerLogger,
    /** How a batch is committed with its checkpoint: view writes by default; a reactor passes its own. */
    private readonly commit: BatchCommit = applyBatch,
  ) {
    this.lock = new ProjectionLock(redis, projection.name);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.statusTimer = setInterval(() => void this.publishStatus().then(() => this.followIfReplaced()), 1_000);
    this.statusTimer.unref();
    void this.acquireAndFollow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.epoch++;
    if (this.statusTimer) clearInterval(this.statusTimer);
    await this.unsubscribe();
    await this.flushing;
    await this.lock.release();
    this.state = 'stopped';
    await this.publishStatus();
  }

  status(): ProjectionStatus {
    return {
      name: this.projection.name,
      eventTypes: this.projection.eventTypes,
      state: this.state,
      owner: this.lock.owner,
      generation: this.generation,
      checkpoint: this.checkpoint?.toString(),
      lastEventCreated: this.lastEventCreated?.toISOString(),
      resubscriptions: this.resubscriptions,
      error: this.error,
      updatedAt: new Date().toISOString(),
    };
  }

  private async acquireAndFollow(): Promise<void> {
    // One loop at a time: a fence-out and a lost lease can both ask for one, and a second would report standby forever.
    // A request made while the loop runs is not dropped: the loop goes round again once it is done.
    if (this.acquiring) {
      this.acquireAgain = true;
      return;
    }
    this.acquiring = true;
    try {
      do {
        this.acquireAgain = false;
        await this.acquireLoop();
      } while (this.acquireAgain && !this.stopped);
    } finally {
      this.acquiring = false;
    }
  }

  private async acquireLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.lock.fencingToken) {
          // Still holding the lease (a repeated request): follow unless already following.
          if (!this.subscription) await this.follow();
          return;
        }
        if (await this.lock.acquire(() => this.onLockLost())) return await this.follow();
        this.state = 'standby';
        await sleep(STANDBY_RETRY_MS);
      } catch (error) {
        if (this.stopped) return;
        // Redis or the store unreachable while starting: try again shortly.
        this.logger.warn(`projection ${this.projection.name}: could not start (${(error as Error).message}); retrying`);
        await this.lock.release();
        await sleep(backoff(++this.failures));
      }
    }
  }

  /** (Re)starts from the live generation's checkpoint. */
  private async follow(): Promise<void> {
    const epoch = ++this.epoch;
    const keys = viewKeys(this.projection.name);
    await this.redis.set(keys.live, INITIAL_GENERATION, 'NX');
    const generation = (await this.redis.get(keys.live))!;
    const stored = await this.redis.get(keys.checkpoint(generation));
    const head = await this.store.headPosition();
    if (epoch !== this.epoch || this.stopped) return;
    this.generation = generation;
    this.checkpoint = stored === null ? undefined : BigInt(stored);
    if (this.checkpoint !== undefined && this.checkpoint > head) {
      // Views ahead of the store were built from another store (or one restored from an older backup).
      this.state = 'failed';
      this.error = `projection ${this.projection.name}: its checkpoint ${this.checkpoint} is beyond the end of the event store (${head}); rebuild it with npm run replay`;
      this.logger.error(this.error);
      return;
    }
    this.buffer = [];
    this.advanceTo = undefined;
    this.subscribe(epoch);
  }

  private subscribe(epoch: number): void {
    this.state = 'catching-up';
    const subscription = this.store.subscribeToAll({
      after: this.checkpoint,
      eventTypes: this.projection.eventTypes,
      onCheckpoint: (position) => {
        if (epoch !== this.epoch) return;
        // The store reports a checkpoint as soon as it reads it, even while events
        // before it still wait in the paused subscription's own buffer. Moving past
        // them would skip them for good; the next checkpoint will do instead.
        if (subscription.buffered > 0) return;
        this.advanceTo = position;
        this.scheduleFlush(epoch);
      },
    });
    this.subscription = subscription;
    subscription.on('event', (event) => {
      if (epoch !== this.epoch) return;
      this.failures = 0;
      this.buffer.push(toProjectedEvent(event));
      if (this.buffer.length >= MAX_BUFFER) subscription.pause();
      this.scheduleFlush(epoch);
    });
    subscription.on('caughtUp', () => {
      if (epoch === this.epoch && this.state === 'catching-up') this.state = 'live';
    });
    subscription.on('error', (error: Error) => void this.onDropped(epoch, error));
    subscription.on('end', () => void this.onDropped(epoch, new Error('the server ended the subscription')));
  }

  private scheduleFlush(epoch: number): void {
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush(epoch)).finally(() => (this.flushing = undefined));
  }

  private async flush(epoch: number): Promise<void> {
    while (epoch === this.epoch && (this.buffer.length > 0 || this.advanceTo !== undefined)) {
      const events = this.buffer.slice(0, MAX_BATCH);
      const advance = this.buffer.length <= MAX_BATCH ? this.advanceTo : undefined;
      try {
        const result = await this.commit(
          this.redis,
          {
            projection: this.projection,
            generation: this.generation!,
            checkpoint: this.checkpoint,
            fence: { token: this.lock.fencingToken ?? '', liveGeneration: this.generation! },
          },
          events,
          advance,
        );
        if (this.commitFailures > 0) {
          this.commitFailures = 0;
          this.error = undefined;
        }
        if (epoch !== this.epoch) return;
        this.buffer.splice(0, events.length);
        if (advance !== undefined && advance === this.advanceTo) this.advanceTo = undefined;
        this.checkpoint = result.checkpoint;
        const last = events.filter((event) => result.checkpoint !== undefined && event.position <= result.checkpoint).at(-1);
        if (last) this.lastEventCreated = last.created;
        if (result.poison) return this.fail(result.poison);
        if (this.subscription?.isPaused() && this.buffer.length < MAX_BUFFER / 2) this.subscription.resume();
      } catch (error) {
        if (error instanceof FencedOutError) return this.onFencedOut(epoch, error);
        // Redis unreachable, or a reaction failing: keep the batch and try again; the subscription stays paused meanwhile.
        // Nothing is skipped, but one that keeps failing is shown, naming where it is stuck.
        const message = `projection ${this.projection.name}: commit failed (${(error as Error).message}); retrying`;
        this.logger.warn(message);
        if (++this.commitFailures >= FAILURES_SHOWN && events[0]) {
          const [first] = events;
          this.error = `${message}; failed ${this.commitFailures} times in a row on the batch from ${first.type} ${first.id} (stream ${first.streamId}, position ${first.position})`;
        }
        await sleep(backoff(++this.failures));
      }
    }
  }

  private async onDropped(epoch: number, error: Error): Promise<void> {
    if (epoch !== this.epoch || this.stopped) return;
    const next = ++this.epoch;
    await this.flushing;
    this.subscription = undefined;
    const delay = backoff(++this.failures);
    this.resubscriptions++;
    this.logger.warn(
      `projection ${this.projection.name}: subscription dropped (${error.message}); resubscribing from checkpoint ${this.checkpoint ?? 'start'} in ${delay} ms`,
    );
    await sleep(delay);
    if (next !== this.epoch || this.stopped) return;
    // Events buffered but not committed come again from the checkpoint.
    this.buffer = [];
    this.advanceTo = undefined;
    this.subscribe(next);
  }

  private async onFencedOut(epoch: number, error: FencedOutError): Promise<void> {
    if (epoch !== this.epoch) return;
    this.logger.warn(`${error.message}; following the new state`);
    await this.unsubscribe();
    const fence = await this.redis.get(viewKeys(this.projection.name).fence).catch(() => undefined);
    if (this.lock.fencingToken && fence === this.lock.fencingToken) {
      // Still ours: a rebuild swapped the generation in.
      return this.follow().catch(() => this.restart());
    }
    return this.restart();
  }

  private async restart(): Promise<void> {
    await this.lock.release();
    void this.acquireAndFollow();
  }

  private onLockLost(): void {
    if (this.stopped) return;
    this.logger.warn(`projection ${this.projection.name}: lost its lock; standing by`);
    void this.unsubscribe().then(() => this.acquireAndFollow());
  }

  private async fail(poison: PoisonEventError): Promise<void> {
    this.state = 'failed';
    this.error = poison.message;
    this.logger.error(poison.message);
    // The lock stays held: another replica would stop on the same event.
    await this.unsubscribe();
    await this.publishStatus();
  }

  /**
   * A failed runner keeps its lock, so no other replica takes over: once a
   * replay makes another generation live, it follows that one.
   */
  private async followIfReplaced(): Promise<void> {
    if (this.state !== 'failed' || this.stopped) return;
    const live = await this.redis.get(viewKeys(this.projection.name).live).catch(() => null);
    if (live === null || live === this.generation || this.state !== 'failed') return;
    this.logger.log(`projection ${this.projection.name}: generation ${live} went live; following it`);
    this.state = 'catching-up';
    this.error = undefined;
    await this.follow().catch(() => this.restart());
  }

  private async unsubscribe(): Promise<void> {
    this.epoch++;
    const subscription = this.subscription;
    this.subscription = undefined;
    this.buffer = [];
    this.advanceTo = undefined;
    await subscription?.unsubscribe().catch(() => undefined);
  }

  /** Shared in Redis, so any api replica can report every projection's state. */
  private async publishStatus(): Promise<void> {
    if (this.state === 'standby' && this.stopped) return;
    await this.redis.set(viewKeys(this.projection.name).status(this.lock.owner), JSON.stringify(this.status()), 'PX', 5_000).catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (attempt: number) => Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
