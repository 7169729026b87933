import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Feature, FeatureApiContext } from '../../app/feature.js';
import { defineAggregate } from '../../commands/aggregate.js';
import { CommandHandler } from '../../commands/command-handler.js';
import { UnreadableEventVersionError } from '../../commands/load-stream.js';
import { buildMetadata, systemContext } from '../../commands/metadata.js';
import type { Decider } from '../../domain/shared/decider.js';
import { eventSchema } from '../../domain/shared/events.js';
import type { Upcaster } from '../../domain/shared/upcasting.js';
import type { JsonObject } from '../../infra/event-store/event-store.js';
import { getReplayProgress, startReplay, type Projection } from '../../projections/index.js';
import { eventually } from '../support/projection-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// A test-only event type whose shape changed: GadgetCreated v1 was { gadgetId, name }; v2 adds colour, and v1 reads as grey.
const gadgetCreated = eventSchema('GadgetCreated', z.object({ gadgetId: z.string(), name: z.string(), colour: z.enum(['grey', 'red']) }));
const gadgetRenamed = eventSchema('GadgetRenamed', z.object({ gadgetId: z.string(), name: z.string() }));
const gadgetEventSchema = z.discriminatedUnion('type', [gadgetCreated, gadgetRenamed]);
type GadgetEvent = z.infer<typeof gadgetEventSchema>;
type GadgetState = { status: 'Empty' } | { status: 'Active'; name: string; colour: 'grey' | 'red' };
type GadgetCommand =
  | { type: 'CreateGadget'; data: { gadgetId: string; name: string; colour: 'grey' | 'red' } }
  | { type: 'RenameGadget'; data: { gadgetId: string; name: string } };

const gadgetDecider: Decider<GadgetState, GadgetCommand, GadgetEvent> = {
  initialState: () => ({ status: 'Empty' }),
  evolve(state, event) {
    switch (event.type) {
      case 'GadgetCreated':
        return { status: 'Active', name: event.data.name, colour: event.data.colour };
      case 'GadgetRenamed':
        return state.status === 'Active' ? { ...state, name: event.data.name } : state;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'CreateGadget':
        return state.status === 'Empty' ? [{ type: 'GadgetCreated', data: command.data }] : [];
      case 'RenameGadget':
        return state.status === 'Active' ? [{ type: 'GadgetRenamed', data: command.data }] : [];
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
};

const gadgetAggregate = defineAggregate('gadget', gadgetDecider, gadgetEventSchema, { schemaVersions: { GadgetCreated: 2 } });
const gadgetCreatedV1: Upcaster = { type: 'GadgetCreated', fromVersion: 1, upcast: (data) => ({ ...data, colour: 'grey' }) };

/** Parses what it applies with the current schema: a v1 event reaching it would fail the projection. */
const gadgetsProjection: Projection<'gadgets'> = {
  name: 'gadgets',
  version: 1,
  filter: { streamPrefixes: ['gadget-'] },
  tables: ['gadgets'],
  async setup(trx, tables) {
    await trx.raw(`CREATE TABLE "${tables.gadgets}" (gadget_id text PRIMARY KEY, name text NOT NULL, colour text NOT NULL)`);
  },
  async apply(events, trx, tables) {
    for (const recorded of events) {
      const event = gadgetEventSchema.parse({ type: recorded.type, data: recorded.data });
      if (event.type === 'GadgetCreated') await trx(tables.gadgets).insert({ gadget_id: event.data.gadgetId, name: event.data.name, colour: event.data.colour });
      else await trx(tables.gadgets).where({ gadget_id: event.data.gadgetId }).update({ name: event.data.name });
    }
  },
};

describe('events stored at an older schema version', () => {
  let app: TestApp;
  let context: FeatureApiContext | undefined;
  const gadgetsFeature: Feature = {
    name: 'gadgets',
    aggregates: [gadgetAggregate],
    upcasters: [gadgetCreatedV1],
    projections: [gadgetsProjection],
    api(given) {
      context = given;
      return { routes: [] };
    },
  };
  const oldId = randomUUID();
  const newId = randomUUID();

  const features = (): FeatureApiContext => {
    if (!context) throw new Error('the gadgets feature was not started');
    return context;
  };
  const rows = (knex: Knex) => knex('gadgets').orderBy('gadget_id').select('gadget_id', 'name', 'colour');

  beforeAll(async () => {
    app = await startTestApp({ role: 'start', features: [gadgetsFeature] });
    // Written as the code of the time wrote it: version 1, without a colour.
    const runtime = features().runtime;
    const eventId = randomUUID();
    const metadata = buildMetadata(systemContext(runtime), eventId, runtime, 1) as JsonObject;
    await app.services.eventStore.appendToStream(`gadget-${oldId}`, [{ id: eventId, type: 'GadgetCreated', data: { gadgetId: oldId, name: 'old' }, metadata }]);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('are read by the command handler at the current version: state, events and metadata', async () => {
    const { commands, runtime } = features();
    const loaded = await commands.load(gadgetAggregate, `gadget-${oldId}`);
    expect(loaded.events).toEqual([{ type: 'GadgetCreated', data: { gadgetId: oldId, name: 'old', colour: 'grey' } }]);
    expect(loaded.recorded[0]?.metadata.schemaVersion).toBe(2);

    const renamed = await commands.handle(gadgetAggregate, `gadget-${oldId}`, { type: 'RenameGadget', data: { gadgetId: oldId, name: 'renamed' } }, { context: systemContext(runtime) });
    expect(renamed.state).toEqual({ status: 'Active', name: 'renamed', colour: 'grey' });
    // Stored as written: the log is never rewritten.
    const [stored] = await app.services.eventStore.readStream(`gadget-${oldId}`);
    expect(stored?.data).toEqual({ gadgetId: oldId, name: 'old' });
    expect(stored?.metadata.schemaVersion).toBe(1);
  });

  it('are written at the version the aggregate declares', async () => {
    const { commands, runtime } = features();
    await commands.handle(gadgetAggregate, `gadget-${newId}`, { type: 'CreateGadget', data: { gadgetId: newId, name: 'new', colour: 'red' } }, { context: systemContext(runtime) });
    const [stored] = await app.services.eventStore.readStream(`gadget-${newId}`);
    expect(stored?.metadata.schemaVersion).toBe(2);
  });

  it('are refused by a reader without the upcaster, rather than read in the wrong shape', async () => {
    const bare = new CommandHandler({ eventStore: app.services.eventStore, runtime: features().runtime });
    await expect(bare.load(gadgetAggregate, `gadget-${oldId}`)).rejects.toThrow(UnreadableEventVersionError);
  });

  it('reach the read model at the current version, and a replay builds the same rows', async () => {
    const { knex } = app.services;
    const expected = [
      { gadget_id: oldId, name: 'renamed', colour: 'grey' },
      { gadget_id: newId, name: 'new', colour: 'red' },
    ].sort((a, b) => a.gadget_id.localeCompare(b.gadget_id));
    await eventually('the gadgets read model shows both gadgets', async () => JSON.stringify(await rows(knex)) === JSON.stringify(expected));

    const deps = { knex, eventStore: app.services.eventStore, projections: app.services.projections };
    const job = await startReplay(deps, 'gadgets', 'test');
    await eventually('the replay completes', async () => (await getReplayProgress(deps, job.jobId)).state === 'completed', 30_000);
    expect(await rows(knex)).toEqual(expected);
    expect((await knex('projections').where({ name: 'gadgets' }).first('state'))?.state).toBe('running');
  });
});
