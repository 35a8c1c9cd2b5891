/** Who did what, and why: stored with every event for auditors. */
export interface EventMetadata {
  /** Shared by everything one upstream request set in motion. */
  correlationId: string;
  /** The command or event that directly caused this event. */
  causationId: string;
  partnerId: string;
  /** The API client or worker that acted. */
  actor: string;
  /** The role of the API key that acted (writer, reader, auditor); absent for workers and on older events. */
  role?: string;
  /** When the command was handled (ISO 8601). */
  timestamp: string;
}

/** The context a command is handled in; becomes the metadata of its events. */
export interface CommandContext {
  correlationId: string;
  commandId: string;
  partnerId: string;
  actor: string;
  /** The API key's role, when a request carried the command. */
  role?: string;
  /** The command's time; deciders take it instead of reading a clock. */
  now: string;
}

export function metadataFor(context: CommandContext): EventMetadata {
  return {
    correlationId: context.correlationId,
    causationId: context.commandId,
    partnerId: context.partnerId,
    actor: context.actor,
    ...(context.role === undefined ? {} : { role: context.role }),
    timestamp: context.now,
  };
}
