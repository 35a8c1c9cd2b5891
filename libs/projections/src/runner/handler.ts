import { Redis } from 'ioredis';
import { ProjectedEvent } from '../projection';

/** A view's projection (its documents in Redis), or a reactor (its effect outside: a queued job, a command on a stream). */
export type HandlerKind = 'view' | 'reactor';

/** Where one handler commits: its name (the `{name}` of its keys), its generation and checkpoint, and the fence it writes under. */
export interface CommitTarget {
  name: string;
  generation: string;
  /** Last applied position; events at or before it are redeliveries and are skipped. */
  checkpoint: bigint | undefined;
  /** For the live writer: its fencing token, and that the live generation is still its own. */
  fence?: { token: string; liveGeneration: string };
}

export interface BatchResult {
  checkpoint: bigint | undefined;
  applied: number;
  /** Set when the batch stopped early on an event the handler can never take. */
  poison?: PoisonEventError;
}

/**
 * One kind of follower of $all that a subscription runner serves. The runner
 * does the I/O they share (lease, fence, subscription, batching, status);
 * a handler says which events it takes and how a batch of them is committed
 * together with its own checkpoint. A commit that throws is tried again with
 * the same events; a poison result stops this handler alone.
 */
export interface SubscriptionHandler {
  readonly kind: HandlerKind;
  readonly name: string;
  /** Exact event types; the runner's $all subscription filters on them server-side. */
  readonly eventTypes: readonly string[];
  /** Takes the events past the target's checkpoint and commits their effect with the new checkpoint (or `advanceTo`, when further). */
  commit(redis: Redis, target: CommitTarget, events: ProjectedEvent[], advanceTo?: bigint): Promise<BatchResult>;
}

/** A projection could not apply an event; it stops there and names the event. */
export class PoisonEventError extends Error {
  constructor(
    readonly projection: string,
    readonly event: ProjectedEvent,
    readonly cause: unknown,
  ) {
    super(
      `projection ${projection} cannot apply event ${event.type} ${event.id} ` +
        `(stream ${event.streamId} revision ${event.revision}, position ${event.position}): ${(cause as Error)?.message ?? String(cause)}`,
    );
    this.name = 'PoisonEventError';
  }
}
