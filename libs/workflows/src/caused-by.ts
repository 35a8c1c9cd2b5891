import { CommandContext } from '@app/eventstore-client';
import { ProjectedEvent } from '@app/projections';

/** The context of a command a workflow's reactor issues: caused by, and correlated with, the event that drives it. */
export const causedBy = (event: ProjectedEvent, actor: string, step: string): CommandContext => ({
  correlationId: String(event.metadata.correlationId ?? event.id),
  commandId: `${event.id}/${step}`,
  partnerId: String(event.metadata.partnerId ?? event.data.partnerId ?? 'system'),
  actor,
  now: new Date().toISOString(),
});
