import { Redis } from 'ioredis';
import { ProjectedEvent } from '../projection';
import { viewKeys } from '../view-keys';
import { BatchResult, BatchTarget, commitFenced } from '../runner/apply-batch';
import type { BatchCommit } from '../runner/projection-runner';

/**
 * A commit for a reactor: a "projection" whose effect is outside Redis (a
 * queued job, a command on another stream). Each new event is handed to
 * `react`, then the checkpoint moves, fenced like a view commit. A crash
 * between the two hands the same events over again after restart, so
 * `react` must be idempotent.
 */
export function reactorCommit(react: (event: ProjectedEvent) => Promise<unknown>): BatchCommit {
  return async (redis: Redis, target: BatchTarget, events: ProjectedEvent[], advanceTo?: bigint): Promise<BatchResult> => {
    const key = viewKeys(target.projection.name).checkpoint(target.generation);
    // The stored checkpoint wins over the caller's when ahead (a commit whose answer the runner dropped): events it
    // covers were reacted to, and it never moves back.
    const stored = await redis.get(key).then((value) => (value === null ? undefined : BigInt(value)));
    const base = stored !== undefined && (target.checkpoint === undefined || stored > target.checkpoint) ? stored : target.checkpoint;
    const fresh = events.filter((event) => base === undefined || event.position > base);
    for (const event of fresh) await react(event);
    let checkpoint = fresh.at(-1)?.position ?? base;
    if (advanceTo !== undefined && (checkpoint === undefined || advanceTo > checkpoint)) checkpoint = advanceTo;
    if (checkpoint === base) return { checkpoint, applied: 0 };
    await commitFenced(redis, target, [['SET', key, checkpoint!.toString()]]);
    return { checkpoint, applied: fresh.length };
  };
}
