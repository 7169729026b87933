import { v5 as uuidv5 } from 'uuid';

/** Chronicle's own UUID v5 namespace: ids derived here never equal ids derived by anyone else from the same names. */
const REACTION_NAMESPACE = '6f1d3a52-8c1e-4f0b-9a57-2d1c6b8e4f90';

/**
 * Deterministic ids for the events a process appends in reaction to one
 * event, for one target (e.g. the deletion of a post, for one collection):
 * the same on every replay and in every worker, so the store holds them
 * once (CommandOptions.eventIdFor).
 */
export function reactionEventIds(causeEventId: string, target: string): (index: number) => string {
  return (index) => uuidv5(`${causeEventId.toLowerCase()}/${target}/${index}`, REACTION_NAMESPACE);
}
