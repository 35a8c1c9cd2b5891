import { randomUUID } from 'node:crypto';
import { AllSubscription, EventStore } from '@app/eventstore-client';
import { Redis } from 'ioredis';
import { INITIAL_GENERATION, viewKeys } from '../view-keys';
import { toProjectedEvent } from './all-stream';
import { FencedOutError } from './fenced-commit';
import { PoisonEventError, SubscriptionHandler } from './handler';
import { HandlerLease } from './handler-lease';
import { HandlerSlot, HandlerStatus } from './handler-slot';

export interface RunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RunnerOptions {
  /** Events a handler may hold delivered and uncommitted before the subscription pauses (or a failing handler steps aside). */
  maxBuffer?: number;
}

const MAX_BATCH = 500;
const MAX_BUFFER = 2_000;
const STANDBY_RETRY_MS = 2_000;
const MAX_BACKOFF_MS = 5_000;
/** Commits failing this many times in a row are shown as the handler's error: an event a reactor can never handle looks like this. */
const FAILURES_SHOWN = 5;

/**
 * Serves several handlers (views and reactors) from one filtered catch-up
 * subscription to $all, and does all their I/O:
 * - a lease per handler, so one replica writes each; the others stand by;
 * - a fence, the lease's token, checked by every commit in the script that writes;
 * - each handler's own checkpoint: the subscription starts after the earliest,
 *   and each handler takes only the events past its own;
 * - batching: each handler commits its events on its own, so one that is slow
 *   or failing holds back no other, and one that cannot apply an event stops alone;
 * - drops: the subscription resumes from the checkpoints with backoff;
 * - status: each handler's state, owner and checkpoint, published in Redis.
 * A handler joins or leaves (lease taken or lost, a rebuild's generation
 * followed) by the subscription being taken up again from the checkpoints.
 */
export class SubscriptionRunner {
  /** Holds the leases of all its handlers, and names this replica on the ops page. */
  readonly owner = randomUUID();
  private readonly slots: HandlerSlot[];
  private readonly maxBuffer: number;
  private subscription: AllSubscription | undefined;
  /** Changes with every subscription, so that events and drops of an old one are ignored. */
  private subscriptionEpoch = 0;
  private resubscriptions = 0;
  private dropFailures = 0;
  private stopped = true;
  private reconciling = false;
  private reconcileAgain = false;
  private resubscribeWanted = false;
  private statusTimer: NodeJS.Timeout | undefined;
  private standbyTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    /** A connection of this runner's own. */
    private readonly redis: Redis,
    handlers: readonly SubscriptionHandler[],
    private readonly logger: RunnerLogger,
    options: RunnerOptions = {},
  ) {
    const names = new Set(handlers.map((handler) => handler.name));
    if (names.size !== handlers.length)
      throw new Error(`a runner serves each handler once: ${handlers.map((h) => h.name).join(', ')}`);
    this.slots = handlers.map((handler) => new HandlerSlot(handler, new HandlerLease(redis, handler.name, this.owner)));
    this.maxBuffer = options.maxBuffer ?? MAX_BUFFER;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const slot of this.slots) if (slot.enabled) slot.state = 'standby';
    this.statusTimer = setInterval(() => void this.publishStatus().then(() => this.followIfReplaced()), 1_000);
    this.statusTimer.unref();
    this.standbyTimer = setInterval(() => {
      if (this.slots.some((slot) => slot.enabled && slot.state === 'standby')) void this.reconcile();
    }, STANDBY_RETRY_MS);
    this.standbyTimer.unref();
    void this.reconcile();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.statusTimer);
    clearInterval(this.standbyTimer);
    await this.unsubscribe();
    for (const slot of this.slots) {
      slot.tenure++;
      await slot.lease.release();
      slot.state = 'stopped';
    }
    await this.publishStatus();
  }

  /** Stops one handler alone: it gives up its lease, so another replica may take it; the others go on. */
  async stopHandler(name: string): Promise<void> {
    const slot = this.slotNamed(name);
    slot.enabled = false;
    slot.tenure++;
    slot.discardQueue();
    await slot.flushing;
    await slot.lease.release();
    slot.state = 'stopped';
    await this.publishStatus();
    this.resumeIfDrained();
  }

  /** Starts a handler stopped alone: it stands by for its lease, then joins the subscription. */
  startHandler(name: string): void {
    const slot = this.slotNamed(name);
    if (slot.enabled) return;
    slot.enabled = true;
    slot.state = 'standby';
    if (!this.stopped) void this.reconcile();
  }

  status(): HandlerStatus[] {
    return this.slots.map((slot) => slot.status(this.resubscriptions));
  }

  statusOf(name: string): HandlerStatus {
    return this.slotNamed(name).status(this.resubscriptions);
  }

  private slotNamed(name: string): HandlerSlot {
    const slot = this.slots.find((candidate) => candidate.name === name);
    if (!slot) throw new Error(`this runner serves no handler "${name}"`);
    return slot;
  }

  /**
   * Takes the leases it can, starts the handlers it took, and takes up the
   * subscription again when the handlers on it changed. One pass at a time: a
   * request made while one runs is not dropped, the pass goes round again.
   */
  private async reconcile(): Promise<void> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = true;
    try {
      do {
        this.reconcileAgain = false;
        await this.reconcileOnce();
      } while (this.reconcileAgain && !this.stopped);
    } finally {
      this.reconciling = false;
    }
  }

  private async reconcileOnce(): Promise<void> {
    for (const slot of this.slots) {
      if (this.stopped) return;
      if (!slot.enabled || (slot.state !== 'standby' && !slot.mustFollow)) continue;
      try {
        if (slot.state === 'standby') {
          if (!(await slot.lease.acquire(() => void this.onLeaseLost(slot)))) continue;
          if (this.stopped || !slot.enabled) {
            // Stopped while the lease was being taken: give it back at once.
            await slot.lease.release();
            continue;
          }
          slot.mustFollow = true;
        }
        await this.follow(slot);
      } catch (error) {
        if (this.stopped) return;
        // Redis or the store unreachable while starting: stand by, and the next try comes shortly.
        this.logger.warn(`${slot.label}: could not start (${(error as Error).message}); retrying`);
        slot.tenure++;
        await slot.lease.release();
        slot.mustFollow = false;
        slot.state = 'standby';
      }
    }
    if (this.resubscribeWanted && !this.stopped) await this.resubscribe();
  }

  /** (Re)starts a held handler from its live generation's checkpoint. */
  private async follow(slot: HandlerSlot): Promise<void> {
    const tenure = slot.tenure;
    const keys = viewKeys(slot.name);
    await this.redis.set(keys.live, INITIAL_GENERATION, 'NX');
    const generation = (await this.redis.get(keys.live))!;
    const stored = await this.redis.get(keys.checkpoint(generation));
    const head = await this.store.headPosition();
    // The lease was lost, or the handler stopped, while this read: the next pass starts it again if it can.
    if (tenure !== slot.tenure || this.stopped || !slot.enabled) return;
    slot.mustFollow = false;
    slot.discardQueue();
    slot.generation = generation;
    slot.checkpoint = stored === null ? undefined : BigInt(stored);
    if (slot.checkpoint !== undefined && slot.checkpoint > head) {
      // Views ahead of the store were built from another store (or one restored from an older backup).
      slot.state = 'failed';
      slot.error = `${slot.label}: its checkpoint ${slot.checkpoint} is beyond the end of the event store (${head}); rebuild it with npm run replay`;
      this.logger.error(slot.error);
      return;
    }
    slot.state = 'catching-up';
    slot.error = undefined;
    this.resubscribeWanted = true;
  }

  /** Subscribes again, after the earliest checkpoint of the handlers it follows; what was delivered and not committed comes again. */
  private async resubscribe(): Promise<void> {
    this.resubscribeWanted = false;
    await this.unsubscribe();
    if (!this.stopped) this.subscribe();
  }

  private subscribe(): void {
    const following = this.slots.filter((slot) => slot.following);
    if (following.length === 0) return;
    for (const slot of following) slot.state = 'catching-up';
    const after = following.some((slot) => slot.checkpoint === undefined)
      ? undefined
      : following.reduce((min, slot) => (slot.checkpoint! < min ? slot.checkpoint! : min), following[0].checkpoint!);
    const eventTypes = [...new Set(following.flatMap((slot) => slot.handler.eventTypes))];
    const epoch = ++this.subscriptionEpoch;
    for (const slot of following) slot.subscription = epoch;
    const subscription = this.store.subscribeToAll({
      after,
      eventTypes,
      onCheckpoint: (position) => {
        if (epoch !== this.subscriptionEpoch) return;
        // The store reports a checkpoint as soon as it reads it, even while events
        // before it still wait in the paused subscription's own buffer. Moving past
        // them would skip them for good; the next checkpoint will do instead.
        if (subscription.buffered > 0) return;
        for (const slot of this.slots) {
          // A handler that stepped aside misses events, and one that joined since this subscription began never had
          // them: the checkpoint of neither may pass them.
          if (!slot.takesFrom(epoch)) continue;
          slot.advanceTo = position;
          this.scheduleFlush(slot);
        }
      },
    });
    this.subscription = subscription;
    subscription.on('event', (stored) => {
      if (epoch !== this.subscriptionEpoch) return;
      this.dropFailures = 0;
      const event = toProjectedEvent(stored);
      for (const slot of this.slots) {
        if (!slot.takes(event, epoch)) continue;
        slot.queue.push(event);
        this.scheduleFlush(slot);
        if (slot.queue.length < this.maxBuffer) continue;
        if (slot.commitFailures > 0) this.stepAside(slot);
        else subscription.pause();
      }
    });
    subscription.on('caughtUp', () => {
      if (epoch !== this.subscriptionEpoch) return;
      for (const slot of this.slots)
        if (slot.following && slot.subscription === epoch && slot.state === 'catching-up') slot.state = 'live';
    });
    subscription.on('error', (error: Error) => void this.onDropped(epoch, error));
    subscription.on('end', () => void this.onDropped(epoch, new Error('the server ended the subscription')));
  }

  /**
   * A handler whose commits keep failing while its queue is full takes no
   * more events, rather than pause the subscription for every handler. Once
   * its queue is committed, the subscription is taken up again from its
   * checkpoint, and it catches up with what it missed.
   */
  private stepAside(slot: HandlerSlot): void {
    slot.overflowed = true;
    this.logger.warn(
      `${slot.label}: ${slot.queue.length} events wait while its commits fail; the others go on without it until it has caught up`,
    );
    this.resumeIfDrained();
  }

  private resumeIfDrained(): void {
    const subscription = this.subscription;
    if (!subscription) return;
    const taking = this.slots.filter((slot) => slot.takesFrom(this.subscriptionEpoch));
    // Every handler stepped aside (Redis away, say): reading on would only throw the events away.
    if (taking.length === 0) return subscription.pause();
    if (!subscription.isPaused()) return;
    // A failing handler does not hold the subscription: it steps aside when its queue fills.
    const holding = taking.some((slot) => slot.commitFailures === 0 && slot.queue.length >= this.maxBuffer / 2);
    if (!holding) subscription.resume();
  }

  private scheduleFlush(slot: HandlerSlot): void {
    const epoch = slot.epoch;
    slot.flushing ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flush(slot, epoch))
      .finally(() => (slot.flushing = undefined));
  }

  private async flush(slot: HandlerSlot, epoch: number): Promise<void> {
    while (epoch === slot.epoch && (slot.queue.length > 0 || slot.advanceTo !== undefined)) {
      const events = slot.queue.slice(0, MAX_BATCH);
      const advance = slot.queue.length <= MAX_BATCH ? slot.advanceTo : undefined;
      const target = slot.commitTarget();
      try {
        const result = await slot.handler.commit(this.redis, target, events, advance);
        if (slot.commitFailures > 0) {
          slot.commitFailures = 0;
          slot.error = undefined;
        }
        // Committed, whatever happened meanwhile; but a checkpoint of a generation it no longer follows is not its own.
        if (target.generation === slot.generation) slot.committed(result.checkpoint, events);
        if (epoch !== slot.epoch) return;
        slot.queue.splice(0, events.length);
        if (advance !== undefined && advance === slot.advanceTo) slot.advanceTo = undefined;
        if (result.poison) return this.fail(slot, result.poison);
        this.resumeIfDrained();
      } catch (error) {
        if (error instanceof FencedOutError) return this.onFencedOut(slot, epoch, error);
        // Redis unreachable, or a reaction failing: keep the batch and try again; nothing is skipped.
        // One that keeps failing is shown, naming where it is stuck.
        const message = `${slot.label}: commit failed (${(error as Error).message}); retrying`;
        this.logger.warn(message);
        if (++slot.commitFailures >= FAILURES_SHOWN && events[0]) {
          const [first] = events;
          slot.error = `${message}; failed ${slot.commitFailures} times in a row on the batch from ${first.type} ${first.id} (stream ${first.streamId}, position ${first.position})`;
        }
        if (slot.queue.length >= this.maxBuffer && !slot.overflowed) this.stepAside(slot);
        await sleep(backoff(slot.commitFailures));
      }
    }
    if (epoch === slot.epoch && slot.overflowed && slot.queue.length === 0) {
      // Caught up with what it held: join again, from its own checkpoint.
      this.resubscribeWanted = true;
      void this.reconcile();
    }
  }

  private async onDropped(epoch: number, error: Error): Promise<void> {
    if (epoch !== this.subscriptionEpoch || this.stopped) return;
    this.subscriptionEpoch++;
    this.subscription = undefined;
    const delay = backoff(++this.dropFailures);
    this.resubscriptions++;
    for (const slot of this.slots.filter((candidate) => candidate.following)) {
      this.logger.warn(
        `${slot.label}: subscription dropped (${error.message}); resubscribing from checkpoint ${slot.checkpoint ?? 'start'} in ${delay} ms`,
      );
    }
    await sleep(delay);
    if (this.stopped) return;
    this.resubscribeWanted = true;
    void this.reconcile();
  }

  private async onFencedOut(slot: HandlerSlot, epoch: number, error: FencedOutError): Promise<void> {
    if (epoch !== slot.epoch) return;
    this.logger.warn(`${error.message}; following the new state`);
    slot.discardQueue();
    const fence = await this.redis.get(viewKeys(slot.name).fence).catch(() => undefined);
    if (slot.lease.fencingToken && fence === slot.lease.fencingToken) {
      // Still ours: a rebuild swapped the generation in.
      slot.mustFollow = true;
    } else {
      slot.tenure++;
      await slot.lease.release();
      slot.state = 'standby';
    }
    this.resumeIfDrained();
    void this.reconcile();
  }

  private async onLeaseLost(slot: HandlerSlot): Promise<void> {
    if (this.stopped || !slot.enabled) return;
    this.logger.warn(`${slot.label}: lost its lock; standing by`);
    slot.tenure++;
    slot.discardQueue();
    slot.mustFollow = false;
    slot.state = 'standby';
    this.resumeIfDrained();
    await slot.lease.release();
    void this.reconcile();
  }

  private async fail(slot: HandlerSlot, poison: PoisonEventError): Promise<void> {
    slot.state = 'failed';
    slot.error = poison.message;
    this.logger.error(poison.message);
    // The lease stays held: another replica would stop on the same event. The others go on.
    slot.discardQueue();
    this.resumeIfDrained();
    await this.publishStatus();
  }

  /**
   * A failed handler keeps its lease, so no other replica takes over: once a
   * replay makes another generation live, it follows that one.
   */
  private async followIfReplaced(): Promise<void> {
    for (const slot of this.slots) {
      if (slot.state !== 'failed' || this.stopped || slot.mustFollow) continue;
      const live = await this.redis.get(viewKeys(slot.name).live).catch(() => null);
      if (live === null || live === slot.generation || slot.state !== 'failed') continue;
      this.logger.log(`${slot.label}: generation ${live} went live; following it`);
      slot.mustFollow = true;
      void this.reconcile();
    }
  }

  private async unsubscribe(): Promise<void> {
    this.subscriptionEpoch++;
    const subscription = this.subscription;
    this.subscription = undefined;
    for (const slot of this.slots) slot.discardQueue();
    await subscription?.unsubscribe().catch(() => undefined);
    await Promise.all(this.slots.map(async (slot) => slot.flushing));
  }

  /** Shared in Redis, so any api replica can report every handler's state. */
  private async publishStatus(): Promise<void> {
    await Promise.all(
      this.slots
        .filter((slot) => !(slot.state === 'standby' && this.stopped))
        .map((slot) =>
          this.redis
            .set(viewKeys(slot.name).status(this.owner), JSON.stringify(slot.status(this.resubscriptions)), 'PX', 5_000)
            .catch(() => undefined),
        ),
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (attempt: number) =>
  Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
