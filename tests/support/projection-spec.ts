import { expect } from '@jest/globals';
import type { Knex } from 'knex';
import { Upcasters, type Upcaster } from '../../domain/shared/upcasting.js';
import { getReplayProgress, startReplay, type AnyProjection, type ProjectionEngineOptions } from '../../projections/index.js';
import { appendGiven, type GivenEvent, type GivenOptions } from './given-events.js';
import { createProjectionHarness, eventually, reachedHead, type ProjectionHarness } from './projection-harness.js';

/** Rows by table (base name, as queries see it). Only the columns the rows name are compared; order does not matter. */
export type ExpectedRows = Readonly<Record<string, ReadonlyArray<Record<string, unknown>>>>;

export interface ProjectionSpecOptions extends GivenOptions {
  /**
   * The feature's upcasters: the engine applies them before the projection,
   * and a given event that names no schemaVersion is written at its type's
   * current version (give `metadata: { schemaVersion: 1 }` for an old one).
   */
  upcasters?: readonly Upcaster[];
  /** Passed to the engine, e.g. runner settings (a small `batchEvents` cuts the given events into several batches). */
  engine?: Partial<ProjectionEngineOptions>;
}

export interface ThenOptions {
  /** Also rebuild the read model from scratch (a replay into a new generation, swapped in) and expect the same rows again. */
  replay?: boolean;
}

/**
 * given(events).then(rows): a projection specification on the real stack.
 * Each scenario gets a fresh database of the test PostgreSQL; the events are
 * appended to the real event store and the real projection engine builds
 * the read model (upcasting, batching and checkpoints included), so what is
 * asserted is what queries would read.
 *
 *   await projectionSpec(tenantDirectoryProjection())
 *     .given([{ stream: 'user-u1', type: 'UserSignedUp', data: {...} }])
 *     .then({ directory_users: [{ user_id: 'u1', roles: [] }] });
 */
export function projectionSpec(projection: AnyProjection, specOptions: ProjectionSpecOptions = {}) {
  const upcasters = new Upcasters(specOptions.upcasters ?? []);
  const options: ProjectionSpecOptions = {
    schemaVersionOf: (type) => upcasters.currentVersion(type),
    ...specOptions,
    engine: { upcasters, ...specOptions.engine },
  };
  return {
    given(events: readonly GivenEvent[]) {
      return {
        async then(expected: ExpectedRows, thenOptions: ThenOptions = {}): Promise<void> {
          await withBuiltReadModel(projection, events, options, async (harness) => {
            await expectRows(harness.knex, expected);
            if (thenOptions.replay) {
              await replayFromScratch(harness, projection);
              await expectRows(harness.knex, expected);
            }
          });
        },
        /** The engine stops at an event (status failed) instead of building the rows: which one, and why. */
        async thenFailsAt(eventIndex: number, message: RegExp): Promise<void> {
          await withBuiltReadModel(projection, events, options, async () => undefined, { eventIndex, message });
        },
      };
    },
  };
}

interface ExpectedFailure {
  eventIndex: number;
  message: RegExp;
}

async function withBuiltReadModel(
  projection: AnyProjection,
  events: readonly GivenEvent[],
  options: ProjectionSpecOptions,
  check: (harness: ProjectionHarness) => Promise<void>,
  failure?: ExpectedFailure,
): Promise<void> {
  const harness = await createProjectionHarness();
  try {
    await harness.startEngine([projection], options.engine);
    const positions: bigint[] = [];
    // One event at a time when a failure is expected, to know each one's position.
    if (failure) for (const event of events) positions.push((await appendGiven(harness.store, [event], options))!);
    else await appendGiven(harness.store, events, options);
    await eventually(`${projection.name} has applied the given events`, async () => {
      const state = await projectionState(harness.knex, projection.name);
      if (state?.state === 'failed' && !failure) throw new Error(`${projection.name} failed at position ${state.error_position}: ${state.error_message}`);
      return failure ? state?.state === 'failed' : reachedHead(harness.knex, harness.store, projection.name);
    });
    if (failure) {
      const state = await projectionState(harness.knex, projection.name);
      expect({ position: state?.error_position, message: state?.error_message }).toEqual({
        position: String(positions[failure.eventIndex]),
        message: expect.stringMatching(failure.message),
      });
    }
    await check(harness);
  } finally {
    await harness.dispose();
  }
}

async function projectionState(knex: Knex, name: string) {
  return knex('projections').where({ name }).first<{ state: string; error_position: string | null; error_message: string | null } | undefined>('state', 'error_position', 'error_message');
}

async function expectRows(knex: Knex, expected: ExpectedRows): Promise<void> {
  for (const [table, rows] of Object.entries(expected)) {
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    const actual = columns.length === 0 ? await knex(table).select('*') : await knex(table).select(columns);
    const found = actual.map(comparable);
    expect({ table, rows: found }).toEqual({ table, rows: expect.arrayContaining(rows.map((row) => row)) });
    expect({ table, count: found.length }).toEqual({ table, count: rows.length });
  }
}

/** Timestamps as evolve writes them (ISO strings); everything else as node-postgres reads it. */
function comparable(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([name, value]) => [name, value instanceof Date ? value.toISOString() : value]));
}

async function replayFromScratch(harness: ProjectionHarness, projection: AnyProjection): Promise<void> {
  const deps = { knex: harness.knex, eventStore: harness.store, projections: [projection] };
  const job = await startReplay(deps, projection.name, 'specification');
  await eventually(`the replay of ${projection.name} completes`, async () => {
    const progress = await getReplayProgress(deps, job.jobId);
    if (progress.state === 'failed') throw new Error(`the replay of ${projection.name} failed: ${progress.error?.message ?? 'unknown'}`);
    return progress.state === 'completed';
  });
}
