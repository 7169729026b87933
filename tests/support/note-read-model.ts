import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { eventSchema } from '../../domain/shared/events.js';
import type { JsonObject, RecordedEvent } from '../../infra/event-store/event-store.js';
import { readModel } from '../../projections/read-model.js';

/*
 * A small domain of its own for the read model helper's tests: one row per
 * note, with the column kinds real read models use (text[], jsonb, bigint,
 * timestamptz, a generated tsvector).
 */
const noteId = z.uuid();
export const noteEventSchema = z.discriminatedUnion('type', [
  eventSchema('NoteCreated', z.object({ noteId, title: z.string(), tags: z.array(z.string()) })),
  eventSchema('NoteRetitled', z.object({ noteId, title: z.string() })),
  eventSchema('NoteTagged', z.object({ noteId, tag: z.string() })),
  eventSchema('NoteDeleted', z.object({ noteId })),
]);
export type NoteEvent = z.infer<typeof noteEventSchema>;

export interface NoteRow {
  id: string;
  title: string;
  tags: string[];
  stats: { retitles: number; history: string[] };
  revision: string;
  created_at: string;
  updated_at: string;
}

export const NOTE_COLUMNS = ['id', 'title', 'tags', 'stats', 'revision', 'created_at', 'updated_at'] as const;

export function notesReadModel(options: { name?: string; version?: number } = {}) {
  return readModel({
    name: options.name ?? 'notes',
    version: options.version ?? 1,
    table: 'notes',
    filter: { streamPrefixes: ['note-'] },
    events: noteEventSchema,
    columns: {
      id: 'uuid primary key',
      title: 'text not null',
      tags: 'text[] not null',
      stats: 'jsonb not null',
      revision: 'bigint not null',
      created_at: 'timestamptz not null',
      updated_at: 'timestamptz not null',
    },
    generated: { search: "tsvector GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED" },
    indexes: ['USING gin (search)', '(created_at DESC, id DESC)'],
    key: (event) => event.data.noteId,
    evolve(row: NoteRow | null, event): NoteRow | null {
      const changed = { revision: String(event.revision), updated_at: event.recordedAt.toISOString() };
      switch (event.type) {
        case 'NoteCreated':
          return {
            id: event.data.noteId,
            title: event.data.title,
            tags: event.data.tags,
            stats: { retitles: 0, history: [event.data.title] },
            created_at: event.recordedAt.toISOString(),
            ...changed,
          };
        case 'NoteRetitled':
          return row && { ...row, ...changed, title: event.data.title, stats: { retitles: row.stats.retitles + 1, history: [...row.stats.history, event.data.title] } };
        case 'NoteTagged':
          // A tag it already has changes nothing: the row itself comes back, and is not written.
          return row && (row.tags.includes(event.data.tag) ? row : { ...row, ...changed, tags: [...row.tags, event.data.tag] });
        case 'NoteDeleted':
          return null;
        default: {
          const _exhaustive: never = event;
          return _exhaustive;
        }
      }
    },
  });
}

/** Recorded note events made by hand, positions and revisions counted, one second apart. */
export class NoteLog {
  private position = 0n;
  private readonly revisions = new Map<string, bigint>();

  event(type: NoteEvent['type'], data: JsonObject & { noteId: string }): RecordedEvent {
    this.position += 1n;
    const stream = `note-${data.noteId}`;
    const revision = (this.revisions.get(stream) ?? -1n) + 1n;
    this.revisions.set(stream, revision);
    return {
      id: randomUUID(),
      stream,
      revision,
      position: this.position,
      type,
      data,
      metadata: {},
      recordedAt: new Date(Date.UTC(2026, 0, 1) + Number(this.position) * 1_000),
    };
  }
}
