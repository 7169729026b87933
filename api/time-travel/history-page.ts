import { diffStates, type FieldChange } from '../../domain/audit/diff.js';
import type { Actor } from '../../domain/shared/metadata.js';
import { actorSchema } from '../../domain/shared/metadata.js';
import type { HistoryStep, StreamHistory } from '../../commands/stream-history.js';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import { InvalidCursorError, type Page, type PageRequest } from '../../projections/keyset-page.js';
import type { HistoryEntry } from './history-schemas.js';

/** What a caller is shown of a history: the rest is the resource's own rule (members are its tenant's business). */
export interface HistoryVisibility {
  /** Who made each change (user ids): for the people of the resource's tenant. */
  showActor: boolean;
  /** Whether a changed field may be shown to this caller. */
  showChange(change: FieldChange): boolean;
}

const CURSOR_TAG = 'history';

/**
 * One page of a stream's history, oldest first: each revision with who,
 * when, why (when recorded) and what changed, field by field, from the
 * states the aggregate's evolve folded. The cursor names the next revision.
 */
export function historyPage<State, Event>(history: StreamHistory<State, Event>, page: PageRequest, visibility: HistoryVisibility): Page<HistoryEntry> {
  const from = page.cursor === undefined ? 0 : revisionOfCursor(page.cursor);
  // Revisions run from 0 without gaps, so a revision is an index of the steps.
  const start = from > BigInt(history.steps.length) ? history.steps.length : Number(from);
  const steps = history.steps.slice(start, start + page.limit);
  const next = history.steps[start + page.limit];
  return { items: steps.map((step) => historyEntry(step, visibility)), nextCursor: next ? cursorOf(next.recorded.revision) : null };
}

function historyEntry<State, Event>(step: HistoryStep<State, Event>, visibility: HistoryVisibility): HistoryEntry {
  const { recorded } = step;
  const reason = reasonOf(recorded);
  return {
    revision: String(recorded.revision),
    position: String(recorded.position),
    type: recorded.type,
    eventId: recorded.id,
    occurredAt: step.occurredAt.toISOString(),
    recordedAt: recorded.recordedAt.toISOString(),
    actor: visibility.showActor ? actorOf(recorded) : null,
    correlationId: textOf(recorded.metadata.correlationId),
    causationId: textOf(recorded.metadata.causationId),
    ...(reason === undefined ? {} : { reason }),
    changes: diffStates(step.before, step.after).filter((change) => visibility.showChange(change)),
  };
}

/** Why, when recorded: a `reason` in the metadata (a command may state one) or in the event's own data. */
function reasonOf(event: RecordedEvent): string | undefined {
  return textOf(event.metadata.reason) ?? textOf(event.data.reason) ?? undefined;
}

function actorOf(event: RecordedEvent): Actor | null {
  const parsed = actorSchema.safeParse(event.metadata.actor);
  return parsed.success ? parsed.data : null;
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Opaque to clients; shaped like the keyset cursors so the shared `cursor` parameter accepts it. */
function cursorOf(revision: bigint): string {
  return Buffer.from(JSON.stringify([CURSOR_TAG, String(revision)]), 'utf8').toString('base64url');
}

function revisionOfCursor(cursor: string): bigint {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== CURSOR_TAG || typeof decoded[1] !== 'string' || !/^\d{1,19}$/.test(decoded[1])) {
    throw new InvalidCursorError();
  }
  return BigInt(decoded[1]);
}
