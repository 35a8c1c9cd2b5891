import { ProjectedEvent } from '../projection';

/**
 * A reactor follows events of some types from $all and acts on each outside
 * Redis views: it enqueues a job, or issues a command on another stream.
 * Each event is handed to `react` at least once, from a fenced checkpoint,
 * so `react` must be idempotent. A refusal the domain records is an
 * outcome, not a failure: `react` should throw only for an outage (the
 * runner then hands the same event over again).
 */
export interface Reactor {
  name: string;
  eventTypes: readonly string[];
  react(event: ProjectedEvent): Promise<void>;
}
