import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { ServiceUnavailableException } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Clock, SandboxClock } from '@app/clock';
import {
  lifecyclePassesBetween,
  MAX_SANDBOX_MOVE_DAYS,
  ruleViolated,
  SANDBOX_CLOCK_STREAM,
  sandboxClockDecider,
} from '@app/domain';
import { EventStore, EventStreams } from '@app/eventstore-client';
import {
  ALL_PROJECTIONS,
  everyRunnerApplied,
  hasApplied,
  Projection,
  reservationsProjection,
  ViewReader,
} from '@app/projections';
import { ReservationOrders } from '@app/ordering';
import { FULFILMENT_QUEUE } from '@app/queues';
import { LifecycleOutcome, ReservationLifecycle } from '@app/reservation-lifecycle';
import { ExpiryNotices } from '@app/webhooks';
import { RequestContext } from '../../http/request-context';
import { LifecyclePassResource, sandboxClockOf, SandboxClockMovedResource } from '../sandbox-clock.resource';

const DAY_MS = 86_400_000;
/** One move walks at a time: a second waits for the first, then walks on from where it left the clock. */
const WALK_LOCK = 'sandbox-clock:walk';
/** The instant of the last pass a walk finished. */
const PASSED = 'sandbox-clock:passed';
/** The walk's lease, renewed every third of it while it walks: a walker that died frees the clock this long after. */
const WALK_LOCK_MS = 15_000;
const WALK_WAIT_MS = 15 * 60_000;
/** How long the worker may take to do what a pass set off (renewal orders fulfilled, views caught up). */
const SETTLE_MS = 30_000;

export class MoveSandboxClockCommand extends Command<SandboxClockMovedResource> {
  constructor(
    readonly to: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * Moves the sandbox clock forward, as Stripe's test clocks do: the move is
 * decided on the clock's stream (only forward; a retry of the same move is
 * not a new one), then the clock walks there, running the lifecycle pass at
 * each 00:05 UTC it crosses and at the new time, each as of its own instant.
 * The walk waits for what was asked before it, and after each pass for what
 * the pass set off (its renewal orders fulfilled, the views caught up), so
 * each day sees what the days before did, as it would in production. A walk cut short (the process died) is finished by
 * the next move, or by the same one sent again.
 */
@CommandHandler(MoveSandboxClockCommand)
export class MoveSandboxClockHandler implements ICommandHandler<MoveSandboxClockCommand> {
  constructor(
    private readonly clock: Clock,
    private readonly streams: EventStreams,
    private readonly store: EventStore,
    private readonly views: ViewReader,
    private readonly lifecycle: ReservationLifecycle,
    private readonly orders: ReservationOrders,
    private readonly redis: Redis,
    @InjectQueue(FULFILMENT_QUEUE) private readonly fulfilment: Queue,
    private readonly notices: ExpiryNotices,
  ) {}

  async execute({ to, context }: MoveSandboxClockCommand): Promise<SandboxClockMovedResource> {
    const sandbox = sandboxClockOf(this.clock);
    const target = new Date(to).toISOString();
    if (Date.parse(target) - Date.parse(context.now) > MAX_SANDBOX_MOVE_DAYS * DAY_MS) {
      throw ruleViolated(
        'CLOCK_MOVE_TOO_FAR',
        `a move goes at most ${MAX_SANDBOX_MOVE_DAYS} days on; the clock stands at ${context.now}`,
      );
    }
    await this.streams.handle(
      SANDBOX_CLOCK_STREAM,
      sandboxClockDecider,
      { type: 'MoveSandboxClock', data: { from: context.now, to: target, now: context.now } },
      context,
    );
    return this.walkTo(sandbox, target, context);
  }

  private async walkTo(
    sandbox: SandboxClock,
    target: string,
    context: RequestContext,
  ): Promise<SandboxClockMovedResource> {
    return this.underWalkLock(async () => {
      const previous = await sandbox.now();
      // A walk that died in the middle of a pass left the clock at that pass: it is run again, which does nothing twice.
      const unfinished = (await this.redis.get(PASSED)) ?? previous;
      const instants = [...(unfinished === previous ? [] : [previous]), ...lifecyclePassesBetween(previous, target)];
      const passes: LifecyclePassResource[] = [];
      // What was asked before the move is done before time moves: orders bought just before are fulfilled at the time they were bought.
      await this.settle({ jobs: await this.fulfilmentJobIds() });
      for (const at of instants) {
        await sandbox.standAt(at);
        const outcome = await this.lifecycle.run(at, `${context.correlationId}/pass-${at}`);
        // Renewal and expiry notices fire as sandbox time moves, on the day they fall due.
        await this.notices.run(at);
        await this.redis.set(PASSED, at);
        if (didSomething(outcome)) {
          passes.push({ at, ...counts(outcome) });
          // The next day sees what this one did: the renewals it bought fulfilled, and the reservations view (which the pass reads) caught up.
          await this.settle({ orders: outcome.renewalOrderIds, views: [reservationsProjection] });
        }
      }
      // The last pass is at the target itself, so the clock stands there now.
      const position = await this.settle({});
      return { now: await sandbox.now(), previous, passesRun: instants.length, passes, position: position.toString() };
    });
  }

  /**
   * Waits until the fulfilment jobs and the orders named are done, and the
   * views named (every view and reactor by default) have applied all there
   * was then: that $all position. Work arriving meanwhile is not waited for,
   * so a busy system still moves.
   */
  private async settle({
    jobs = [],
    orders = [],
    views,
  }: {
    jobs?: string[];
    orders?: string[];
    views?: Projection[];
  }): Promise<bigint> {
    const deadline = Date.now() + SETTLE_MS;
    const waitOr503 = async () => {
      if (Date.now() > deadline) {
        throw new ServiceUnavailableException({
          statusCode: 503,
          error: 'Service Unavailable',
          code: 'SANDBOX_NOT_SETTLED',
          message: `the worker has not caught up within ${SETTLE_MS / 1000} s (is it running?); the clock stands at ${await this.clock.now()}: send the move again to finish it`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    };
    while (!((await this.jobsFinished(jobs)) && (await this.ordersSettled(orders)))) await waitOr503();
    // Up to where the store stood once that work was done; what others write after is not waited for.
    const head = await this.store.headPosition();
    const caughtUp = views
      ? async () =>
          (await Promise.all(views.map((view) => hasApplied(this.store, this.views, view, head)))).every(Boolean)
      : () => everyRunnerApplied(this.store, this.views, ALL_PROJECTIONS, head);
    while (!(await caughtUp())) await waitOr503();
    return head;
  }

  /** The fulfilment jobs waiting or running now. */
  private async fulfilmentJobIds(): Promise<string[]> {
    const jobs = await this.fulfilment.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
    return jobs.flatMap((job) => (job?.id ? [job.id] : []));
  }

  private async jobsFinished(ids: string[]): Promise<boolean> {
    for (const id of ids) {
      const job = await this.fulfilment.getJob(id);
      if (job && !(await job.isCompleted()) && !(await job.isFailed())) return false;
    }
    return true;
  }

  /** Placed and no longer pending: fulfilled, in part or not at all. */
  private async ordersSettled(orderIds: string[]): Promise<boolean> {
    for (const orderId of orderIds) {
      const { state } = await this.orders.load(orderId);
      if (state.status === 'none' || state.status === 'pending') return false;
    }
    return true;
  }

  private async underWalkLock<T>(walk: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    const deadline = Date.now() + WALK_WAIT_MS;
    while ((await this.redis.set(WALK_LOCK, token, 'PX', WALK_LOCK_MS, 'NX')) !== 'OK') {
      if (Date.now() > deadline)
        throw new ServiceUnavailableException({
          statusCode: 503,
          error: 'Service Unavailable',
          code: 'SANDBOX_CLOCK_BUSY',
          message: 'another move of the sandbox clock is still walking; send the move again',
        });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const renewal = setInterval(
      () =>
        void this.redis
          .eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0",
            1,
            WALK_LOCK,
            token,
            WALK_LOCK_MS,
          )
          .catch(() => undefined),
      WALK_LOCK_MS / 3,
    );
    try {
      return await walk();
    } finally {
      clearInterval(renewal);
      // Only our own lock: after a pause longer than its lease, another move may hold it.
      await this.redis.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
        1,
        WALK_LOCK,
        token,
      );
    }
  }
}

const counts = ({ priceLocked, renewed, renewalsFailed, expired, paymentsRecorded }: LifecycleOutcome) => ({
  priceLocked,
  renewed,
  renewalsFailed,
  expired,
  paymentsRecorded,
});
const didSomething = (outcome: LifecycleOutcome) => Object.values(counts(outcome)).some((count) => count > 0);
