import { Redis } from 'ioredis';
import { ProjectedEvent } from '../projection';
import { viewKeys } from '../view-keys';
import { BatchResult, BatchTarget, commitFenced, startingCheckpoint } from '../runner/apply-batch';
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
    // Events the stored checkpoint covers were reacted to, even when the runner dropped that commit's answer.
    const base = await startingCheckpoint(redis, target);
    const fresh = events.filter((event) => base === undefined || event.position > base);
    for (const event of fresh) await react(event);
    let checkpoint = fresh.at(-1)?.position ?? base;
    if (advanceTo !== undefined && (checkpoint === undefined || advanceTo > checkpoint)) checkpoint = advanceTo;
    if (checkpoint === base) return { checkpoint, applied: 0 };
    await commitFenced(redis, target, [['SET', viewKeys(target.projection.name).checkpoint(target.generation), checkpoint!.toString()]]);
    return { checkpoint, applied: fresh.length };
  };
}
