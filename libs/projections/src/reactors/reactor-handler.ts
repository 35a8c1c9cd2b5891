import { Redis } from 'ioredis';
import { ProjectedEvent } from '../projection';
import { commitFenced, startingCheckpoint } from '../runner/fenced-commit';
import { BatchResult, CommitTarget, SubscriptionHandler } from '../runner/handler';
import { viewKeys } from '../view-keys';
import { Reactor } from './reactor';

/**
 * A reactor as a handler of a subscription runner. Its effect is outside
 * Redis (a queued job, a command on another stream): each new event is
 * handed to `react`, then the checkpoint moves, fenced like a view commit. A
 * crash between the two hands the same events over again after restart, so
 * `react` must be idempotent. A reaction that throws is retried: a reactor
 * has no poison events.
 */
export const reactorHandler = (reactor: Reactor): SubscriptionHandler => ({
  kind: 'reactor',
  name: reactor.name,
  eventTypes: reactor.eventTypes,
  commit: async (
    redis: Redis,
    target: CommitTarget,
    events: ProjectedEvent[],
    advanceTo?: bigint,
  ): Promise<BatchResult> => {
    // Events the stored checkpoint covers were reacted to, even when the runner dropped that commit's answer.
    const base = await startingCheckpoint(redis, target);
    const fresh = events.filter((event) => base === undefined || event.position > base);
    for (const event of fresh) await reactor.react(event);
    let checkpoint = fresh.at(-1)?.position ?? base;
    if (advanceTo !== undefined && (checkpoint === undefined || advanceTo > checkpoint)) checkpoint = advanceTo;
    if (checkpoint === base) return { checkpoint, applied: 0 };
    await commitFenced(redis, target, [
      ['SET', viewKeys(target.name).checkpoint(target.generation), checkpoint!.toString()],
    ]);
    return { checkpoint, applied: fresh.length };
  },
});
