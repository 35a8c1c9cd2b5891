import { Decider, Message } from '@app/domain';
import { EventStreams, Handled } from '@app/eventstore-client';
import { RequestContext } from './request-context';

/** What a change needs to know of the stream it changes: which it is, how it folds, who owns it, what to answer. */
export interface OwnedStream<State, Owned, Command extends Message, Event extends Message, Resource> {
  stream: string;
  decider: Decider<State, Command, Event>;
  /** The state if the caller's partner owns it; a 404 DomainError otherwise. */
  owned(state: State): Owned;
  toResource(owned: Owned, handled: Handled<State, Event>): Resource;
}

/**
 * The shape every change of an owned stream shares: read it, where the
 * partner must own it (another partner's answers 404), decide, append with
 * the expected revision (honouring If-Match), and answer the resource.
 */
export async function changeOwned<State, Owned, Command extends Message, Event extends Message, Resource>(
  streams: EventStreams,
  target: OwnedStream<State, Owned, Command, Event, Resource>,
  context: RequestContext,
  command: (owned: Owned) => Command | Promise<Command>,
): Promise<Resource> {
  const handled = await streams.handle(
    target.stream,
    target.decider,
    (state) => command(target.owned(state)),
    context,
    {
      expectedRevision: context.expectedRevision,
    },
  );
  return target.toResource(target.owned(handled.state), handled);
}

/** An owned stream with its change bound, so a command written at the call site keeps its literal type. */
export function ownedStream<State, Owned, Command extends Message, Event extends Message, Resource>(
  target: OwnedStream<State, Owned, Command, Event, Resource>,
) {
  return {
    ...target,
    change: (streams: EventStreams, context: RequestContext, command: (owned: Owned) => Command | Promise<Command>) =>
      changeOwned(streams, target, context, command),
  };
}
