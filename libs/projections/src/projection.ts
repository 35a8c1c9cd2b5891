/** An event as a projection sees it: the domain message plus where it sits in the store. */
export interface ProjectedEvent {
  id: string;
  type: string;
  /** JSON as stored; each reader narrows it to its event's data. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  metadata: Record<string, unknown>;
  streamId: string;
  revision: number;
  /** $all commit position. */
  position: bigint;
  created: Date;
}

/** The request an event traces back to: its correlation id, or its own id when it has none. */
export const correlationIdOf = (event: ProjectedEvent): string =>
  typeof event.metadata.correlationId === 'string' ? event.metadata.correlationId : event.id;

/** A view document: JSON with the position of the last event that changed it. */
export type ViewDocument = Record<string, unknown> & { _position?: string };

/** What applying one event does to the views, expressed as data so the runner can batch it. */
export type ViewWrite =
  | { kind: 'put'; key: string; document: ViewDocument }
  | { kind: 'index'; key: string; score: number; member: string }
  | { kind: 'unindex'; key: string; member: string };

/**
 * A projection is pure: given an event and the documents it reads, it says
 * what to write. The runner does all I/O: loading, batching, the commit of
 * the writes with the checkpoint (one script that first checks the runner's
 * fence and the live generation), dedupe of redelivered events.
 */
export interface Projection {
  name: string;
  /** Exact event types; the $all subscription filters on them server-side. */
  eventTypes: readonly string[];
  /** Keys of the documents `apply` needs, relative to the projection's namespace. */
  reads(event: ProjectedEvent): string[];
  apply(event: ProjectedEvent, documents: Record<string, ViewDocument | undefined>): ViewWrite[];
}
