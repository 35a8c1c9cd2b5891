/** A domain event or command: a type tag and a JSON-serialisable payload. */
export type Message<Type extends string = string, Data extends object = object> = Readonly<{
  type: Type;
  data: Readonly<Data>;
}>;

/**
 * A pure decider, as in Emmett: state is folded from events with `evolve`, and
 * `decide` turns a command into new events or throws a DomainError. No I/O:
 * whatever a rule needs from elsewhere arrives inside the command.
 */
export interface Decider<State, Command extends Message, Event extends Message> {
  // Properties, not methods: deciders are plain objects of functions, passed around as such (e.g. to reduce).
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
}

export function fold<State, Event extends Message>(
  decider: Pick<Decider<State, never, Event>, 'evolve' | 'initialState'>,
  events: Event[],
): State {
  return events.reduce(decider.evolve, decider.initialState());
}
