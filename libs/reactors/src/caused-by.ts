import { CommandContext } from '@app/eventstore-client';
import { correlationIdOf, ProjectedEvent } from '@app/projections';

/** The context of a command a reactor issues: caused by, and correlated with, the event that drives it. */
export const causedBy = (event: ProjectedEvent, actor: string, step: string, now: string): CommandContext => ({
  correlationId: correlationIdOf(event),
  commandId: `${event.id}/${step}`,
  partnerId: typeof event.metadata.partnerId === 'string' ? event.metadata.partnerId : 'system',
  actor,
  now,
});
