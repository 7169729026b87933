import type { AsOf } from '../../domain/audit/as-of.js';
import { stateAsOf, type StreamHistory } from '../../commands/stream-history.js';
import { deletedAsOf, notYetCreated, revisionNotFound } from './time-travel-errors.js';

/** What time travel needs to know of a resource beyond its aggregate. */
export interface TimeTravelRules<State> {
  /** `post`, `collection`: named in messages and in the 410's code (`post_deleted`). */
  resource: string;
  /** Whether the state is the resource deleted: answered 410 rather than shown. */
  isDeleted(state: State): boolean;
}

export interface StateAt<State> {
  state: State;
  /** The revision of the last event folded: the answer's `revision` and ETag. */
  revision: bigint;
  /** When the first event occurred. */
  createdAt: Date;
  /** When the last event folded occurred. */
  updatedAt: Date;
}

/**
 * The resource at a point of its history, or the error that says why there is
 * none: 404 `not_yet_created`, 404 `revision_not_found`, 410 `<resource>_deleted`.
 */
export function stateAt<State, Event>(history: StreamHistory<State, Event>, asOf: AsOf, rules: TimeTravelRules<State>): StateAt<State> {
  const found = stateAsOf(history, asOf);
  if (found.kind === 'before_first') throw notYetCreated(rules.resource);
  if (found.kind === 'beyond_head') throw revisionNotFound(rules.resource, found.head);
  const { step } = found;
  if (rules.isDeleted(step.after)) {
    const deletion = history.steps.find((candidate) => rules.isDeleted(candidate.after)) ?? step;
    throw deletedAsOf(rules.resource, { revision: deletion.recorded.revision, occurredAt: deletion.occurredAt });
  }
  const first = history.steps[0] ?? step;
  return { state: step.after, revision: step.recorded.revision, createdAt: first.occurredAt, updatedAt: step.occurredAt };
}
