import { CommandContext } from '@app/eventstore';
import { ProjectedEvent } from '@app/projections';

/**
 * A workflow step that spans streams, driven by the event that started it:
 * the runner hands each such event to `react`, at least once, from a
 * fenced checkpoint, so `react` must be idempotent. A refusal the domain
 * records is an outcome, not a failure; only outages should throw (the
 * runner then retries the same event).
 */
export interface Workflow {
  name: string;
  eventTypes: readonly string[];
  react(event: ProjectedEvent): Promise<void>;
}

/** The context of a command a workflow issues: caused by, and correlated with, the event that drives it. */
export const causedBy = (event: ProjectedEvent, actor: string, step: string): CommandContext => ({
  correlationId: String(event.metadata.correlationId ?? event.id),
  commandId: `${event.id}/${step}`,
  partnerId: String(event.metadata.partnerId ?? event.data.partnerId ?? 'system'),
  actor,
  now: new Date().toISOString(),
});
