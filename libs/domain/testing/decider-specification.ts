import { Decider, fold, Message } from '../src/shared/decider';
import { DomainError } from '../src/shared/domain-error';

/**
 * Given events / when command / then events (or then a refusal), for unit
 * tests of a decider. Follows Emmett's DeciderSpecification.
 */
export function deciderSpecification<State, Command extends Message, Event extends Message>(
  decider: Decider<State, Command, Event>,
) {
  return {
    given: (events: Event[]) => ({
      when: (command: Command) => {
        const run = () => decider.decide(command, fold(decider, events));
        return {
          then: (expected: Event[]) => expect(run()).toEqual(expected),
          thenNothingHappens: () => expect(run()).toEqual([]),
          thenRefuses: (code: string) => {
            let refusal: unknown;
            try {
              run();
            } catch (error) {
              refusal = error;
            }
            expect(refusal).toBeInstanceOf(DomainError);
            expect((refusal as DomainError).code).toBe(code);
          },
        };
      },
    }),
  };
}
