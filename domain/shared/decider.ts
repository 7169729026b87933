/**
 * One pure decider per aggregate (Emmett's shape): no I/O, no clock, no ids
 * generated inside; everything that varies arrives in the command.
 */
export interface Decider<State, Command, Event> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  /** Returns the events to append; an empty list means "nothing to do". Throws a DomainError to refuse. */
  decide(command: Command, state: State): Event[];
}

/** Folds a stream's events from the initial state. */
export function fold<State, Command, Event>(decider: Decider<State, Command, Event>, events: readonly Event[]): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}
