import { Message } from '@app/domain';
import { ProjectedEvent, Projection, ViewDocument, ViewWrite } from '../projection';

export interface FoldedDocument<State> extends ViewDocument {
  state: State;
  /** Revision of the stream this document folds; exposed as the ETag. */
  revision: number;
}

export interface Index {
  key: string;
  score: number;
  member: string;
}

/**
 * A view that is one document per stream, folded with the domain's own
 * evolve, so the view cannot drift from how the write side reads the same
 * events. `indexes` lists the sorted sets the document is found through.
 */
export function foldingProjection<State, Event extends Message>(definition: {
  name: string;
  eventTypes: readonly Event['type'][];
  /** The document an event folds into; undefined for an event of a type it takes that is not its concern. */
  documentKey: (event: Event, stored: ProjectedEvent) => string | undefined;
  /** The stream revision comes third, for views that keep a history. */
  evolve: (state: State, event: Event, revision: number) => State;
  initialState: () => State;
  indexes?: (state: State, event: Event) => Index[];
}): Projection {
  const asMessage = (event: ProjectedEvent) => ({ type: event.type, data: event.data as Event['data'] }) as Event;
  return {
    name: definition.name,
    eventTypes: definition.eventTypes,
    reads: (event) => {
      const key = definition.documentKey(asMessage(event), event);
      return key === undefined ? [] : [key];
    },
    apply(event, documents) {
      const message = asMessage(event);
      const key = definition.documentKey(message, event);
      if (key === undefined) return [];
      const previous = documents[key] as FoldedDocument<State> | undefined;
      const state = definition.evolve(previous?.state ?? definition.initialState(), message, event.revision);
      const document: FoldedDocument<State> = { state, revision: event.revision };
      const writes: ViewWrite[] = [{ kind: 'put', key, document }];
      for (const index of definition.indexes?.(state, message) ?? []) writes.push({ kind: 'index', ...index });
      return writes;
    },
  };
}
