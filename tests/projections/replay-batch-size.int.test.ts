import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getReplayProgress, startReplay, type AnyProjection } from '../../projections/index.js';
import { validateProjections } from '../../projections/projection.js';
import { notesReadModel } from '../support/note-read-model.js';
import { newEvent } from '../support/events.js';
import { createProjectionHarness, eventually, reachedHead, type ProjectionHarness } from '../support/projection-harness.js';

describe('a projection’s own replay batch size', () => {
  let harness: ProjectionHarness;

  beforeAll(async () => {
    harness = await createProjectionHarness();
  });

  afterAll(async () => {
    await harness.dispose();
  });

  it('caps the batches of its replay below the engine’s, and the rows come out the same', async () => {
    const notes = notesReadModel();
    const replayBatches: number[] = [];
    const watched: AnyProjection = {
      ...notes,
      replayBatchEvents: 7,
      async apply(events, trx, tables) {
        if (tables.notes === 'notes__v1_g2') replayBatches.push(events.length);
        await notes.apply(events, trx, tables);
      },
    };
    for (let i = 0; i < 40; i++) {
      const noteId = randomUUID();
      await harness.store.appendToStream(`note-${noteId}`, [newEvent('NoteCreated', { noteId, title: `note ${i}`, tags: ['a'] })]);
    }
    await harness.startEngine([watched], { settings: { replayBatchEvents: 1_000 } });
    await eventually('live caught up', () => reachedHead(harness.knex, harness.store, 'notes'));
    const before = (await harness.knex('notes').select('*').orderBy('id')) as unknown[];

    const deps = { knex: harness.knex, eventStore: harness.store, projections: [watched] };
    const job = await startReplay(deps, 'notes', 'operator@example.com');
    await eventually('the replay completes', async () => (await getReplayProgress(deps, job.jobId)).state === 'completed', 30_000);

    expect(replayBatches.reduce((sum, size) => sum + size, 0)).toBe(40);
    expect(Math.max(...replayBatches)).toBe(7);
    await eventually('live caught up after the swap', () => reachedHead(harness.knex, harness.store, 'notes'));
    expect(await harness.knex('notes').select('*').orderBy('id')).toEqual(before);
  });

  it('refuses a replay batch size that is not a positive whole number', () => {
    for (const replayBatchEvents of [0, -1, 2.5]) {
      expect(() => validateProjections([{ ...notesReadModel(), replayBatchEvents }])).toThrow(/replayBatchEvents must be a positive integer/);
    }
  });
});
