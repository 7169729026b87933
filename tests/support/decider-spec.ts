import { expect } from '@jest/globals';
import type { Decider } from '../../domain/shared/decider.js';
import type { DomainError } from '../../domain/shared/errors.js';

/**
 * given(events).when(command).then(events) or .thenThrows(ErrorClass, code):
 * decider tests that read as specifications.
 */
export function deciderSpec<State, Command, Event>(decider: Decider<State, Command, Event>) {
  return {
    given(events: readonly Event[]) {
      const state = events.reduce((current, event) => decider.evolve(current, event), decider.initialState());
      return {
        when(command: Command) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: readonly Event[]) {
              expect(run()).toEqual(expected);
            },
            thenThrows(errorClass: abstract new (...args: never[]) => DomainError, code?: string) {
              let thrown: unknown;
              try {
                run();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toBeInstanceOf(errorClass);
              if (code) expect((thrown as DomainError).code).toBe(code);
            },
          };
        },
        thenState(expected: State) {
          expect(state).toEqual(expected);
        },
      };
    },
  };
}
