import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import type { Position } from '../../infra/event-store/event-store.js';
import { getReplayProgress, startReplay, type AnyProjection } from '../../projections/index.js';
import { notesReadModel } from '../support/note-read-model.js';
import { newEvent } from '../support/events.js';
import { createProjectionHarness, eventually, reachedHead, type ProjectionHarness } from '../support/projection-harness.js';

/** A physical table's indexes, by name, with their definitions as PostgreSQL prints them. */
async function indexesOf(knex: Knex | Knex.Transaction, table: string): Promise<Record<string, string>> {
  const { rows } = await knex.raw<{ rows: Array<{ indexname: string; indexdef: string }> }>(
    'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? ORDER BY indexname',
    [table],
  );
  return Object.fromEntries(rows.map((row) => [row.indexname, row.indexdef]));
}

/** The same definitions with the table's own name taken out, to compare two generations. */
function generic(indexes: Record<string, string>, table: string): string[] {
  return Object.entries(indexes).map(([name, definition]) => `${name.replace(table, 'T')}: ${definition.replaceAll(table, 'T')}`);
}

async function notesOf(knex: Knex): Promise<Array<Record<string, unknown>>> {
  const { rows } = await knex.raw<{ rows: Array<Record<string, unknown>> }>('SELECT *, search::text AS search FROM notes ORDER BY id');
  return rows;
}

describe('a replay loads its rows before building the secondary indexes', () => {
  let harness: ProjectionHarness;

  beforeAll(async () => {
    harness = await createProjectionHarness();
  });

  afterAll(async () => {
    await harness.dispose();
  });

  it('applies its batches to a table with only its primary key, builds the declared indexes before the swap, then applies what came meanwhile', async () => {
    const notes = notesReadModel();
    const seenByReplay: Array<Record<string, string>> = [];
    let appendedDuringBuild: Position | undefined;
    const appendNote = async (title: string) => {
      const noteId = randomUUID();
      return harness.store.appendToStream(`note-${noteId}`, [newEvent('NoteCreated', { noteId, title, tags: ['a'] })]);
    };
    // The read model as the engine sees it, watched: the indexes each replay batch met, and an event appended while they are built.
    const watched: AnyProjection = {
      ...notes,
      async apply(events, trx, tables) {
        if (tables.notes === 'notes__v1_g2') seenByReplay.push(await indexesOf(trx, tables.notes));
        await notes.apply(events, trx, tables);
      },
      async completeSetup(trx, tables) {
        appendedDuringBuild ??= (await appendNote('appended while the indexes are built')).position;
        await notes.completeSetup(trx, tables);
      },
    };
    for (let i = 0; i < 1_000; i += 100) await Promise.all(Array.from({ length: 100 }, (_, k) => appendNote(`note ${i + k}`)));
    await harness.startEngine([watched], { settings: { replayBatchEvents: 200 } });
    await eventually('live caught up', () => reachedHead(harness.knex, harness.store, 'notes'));
    const live = generic(await indexesOf(harness.knex, 'notes__v1_g1'), 'notes__v1_g1');
    expect(live).toHaveLength(3);
    const before = await notesOf(harness.knex);

    const deps = { knex: harness.knex, eventStore: harness.store, projections: [watched] };
    const job = await startReplay(deps, 'notes', 'operator@example.com');
    await eventually('the replay completes', async () => (await getReplayProgress(deps, job.jobId)).state === 'completed', 30_000);

    // Every batch of the bulk load met the primary key alone; the last one (the note appended during the build), all of them.
    expect(seenByReplay.length).toBeGreaterThanOrEqual(6);
    expect(seenByReplay.slice(0, -1).map((indexes) => Object.keys(indexes).join())).toEqual(seenByReplay.slice(0, -1).map(() => 'notes__v1_g2_pkey'));
    expect(generic(seenByReplay.at(-1)!, 'notes__v1_g2')).toEqual(live);
    expect(generic(await indexesOf(harness.knex, 'notes__v1_g2'), 'notes__v1_g2')).toEqual(live);
    // The event appended during the build went in before the swap: the replay's own position covers it.
    const done = await getReplayProgress(deps, job.jobId);
    expect(BigInt(done.position!)).toBeGreaterThanOrEqual(appendedDuringBuild!);
    await eventually('live caught up after the swap', () => reachedHead(harness.knex, harness.store, 'notes'));
    const after = await notesOf(harness.knex);
    expect(after).toHaveLength(before.length + 1);
    expect(after.filter((row) => row.title !== 'appended while the indexes are built')).toEqual(before);
  });
});
