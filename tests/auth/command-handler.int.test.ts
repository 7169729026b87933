import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CommandHandler } from '../../commands/command-handler.js';
import { tenantAggregate } from '../../commands/identity/aggregates.js';
import { systemContext } from '../../commands/metadata.js';
import { eventMetadataSchema } from '../../domain/shared/metadata.js';
import { PreconditionFailedError } from '../../domain/shared/errors.js';
import { tenantStream } from '../../domain/tenant/streams.js';
import { PostgresEventStore } from '../../infra/event-store/postgres/postgres-event-store.js';
import { createLogger } from '../../infra/logging/logger.js';
import { createIdentityHarness, type IdentityHarness } from '../support/identity-harness.js';

describe('the generic command handler', () => {
  let h: IdentityHarness;
  let handler: CommandHandler;

  beforeAll(async () => {
    h = await createIdentityHarness();
    handler = new CommandHandler({ eventStore: h.store, runtime: h.runtime });
  });
  afterAll(async () => h.dispose());

  const issueKey = (keyId: string) => ({
    type: 'IssueApiKey' as const,
    data: { keyId, name: keyId, displayPrefix: 'chk_test', rateLimitPerMinute: 60, issuedBy: 'u-1', scopes: ['admin' as const], activeKeyCap: { points: 100, name: 'api_keys_per_tenant', variable: 'API_KEYS_PER_TENANT' } },
  });

  async function newTenant() {
    const tenantId = h.runtime.newId();
    const created = await handler.handle(tenantAggregate, tenantStream(tenantId), { type: 'CreateTenant', data: { tenantId, name: 'T', createdBy: 'u-1' } }, {
      context: systemContext(h.runtime, tenantId),
    });
    return { tenantId, created };
  }

  it('appends with metadata and answers the revision, position, events and state', async () => {
    const { tenantId, created } = await newTenant();
    expect(created).toMatchObject({ streamId: tenantStream(tenantId), revision: 0n, events: [{ type: 'TenantCreated' }], state: { status: 'Active' } });
    expect(typeof created.position).toBe('bigint');
    const [recorded] = await h.store.readStream(tenantStream(tenantId));
    expect(eventMetadataSchema.parse(recorded?.metadata)).toMatchObject({ eventId: recorded?.id, tenantId, actor: { type: 'system' }, schemaVersion: 1 });
  });

  it('a new stream is decided on empty without being read; should it exist after all, the command runs on the stream as read', async () => {
    let reads = 0;
    const counting = new Proxy(h.store, {
      get(target, property) {
        if (property === 'readStream') return (...args: Parameters<PostgresEventStore['readStream']>) => (reads++, target.readStream(...args));
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const fresh = new CommandHandler({ eventStore: counting, runtime: h.runtime });
    const tenantId = h.runtime.newId();
    const create = { type: 'CreateTenant' as const, data: { tenantId, name: 'T', createdBy: 'u-1' } };
    const created = await fresh.handle(tenantAggregate, tenantStream(tenantId), create, { context: systemContext(h.runtime, tenantId), newStream: true });
    expect(created).toMatchObject({ revision: 0n, events: [{ type: 'TenantCreated' }], state: { status: 'Active' } });
    expect(reads).toBe(0);
    // Taken for new but there: the append expecting no stream fails, and the decider sees the tenant.
    await expect(fresh.handle(tenantAggregate, tenantStream(tenantId), create, { context: systemContext(h.runtime, tenantId), newStream: true })).rejects.toMatchObject({ code: 'tenant_exists' });
    expect(reads).toBe(1);
    expect(await h.store.readStream(tenantStream(tenantId))).toHaveLength(1);
  });

  it('retries concurrent writers on fresh state without If-Match, losing nothing', async () => {
    const { tenantId } = await newTenant();
    const keys = Array.from({ length: 5 }, (_, i) => `k-${i}`);
    await Promise.all(keys.map((keyId) => handler.handle(tenantAggregate, tenantStream(tenantId), issueKey(keyId), { context: systemContext(h.runtime, tenantId) })));
    const events = await h.store.readStream(tenantStream(tenantId));
    expect(events.filter((event) => event.type === 'ApiKeyIssued')).toHaveLength(5);
  });

  it('appends an unconditional command whatever other processes append to the stream meanwhile: never a conflict', async () => {
    const { tenantId } = await newTenant();
    // Two processes: two stores, each queueing its own appends, racing each other for the stream's next revision.
    const otherProcess = await PostgresEventStore.connect({ connectionString: h.database.url, logger: createLogger('silent'), pollIntervalMs: 200 });
    try {
      const handlers = [h.store, otherProcess].map((eventStore) => new CommandHandler({ eventStore, runtime: h.runtime, retryForMs: 0 }));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          handlers[i % 2]!.handle(tenantAggregate, tenantStream(tenantId), issueKey(`u-${i}`), { context: systemContext(h.runtime, tenantId), unconditional: true }),
        ),
      );
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      expect((await h.store.readStream(tenantStream(tenantId))).filter((event) => event.type === 'ApiKeyIssued')).toHaveLength(20);
    } finally {
      await otherProcess.close();
    }
  });

  it('turns a stale If-Match into PreconditionFailedError, before and during the append', async () => {
    const { tenantId, created } = await newTenant();
    await handler.handle(tenantAggregate, tenantStream(tenantId), issueKey('a'), { context: systemContext(h.runtime, tenantId), ifMatch: created.revision });
    await expect(
      handler.handle(tenantAggregate, tenantStream(tenantId), issueKey('b'), { context: systemContext(h.runtime, tenantId), ifMatch: created.revision }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    const racers = await Promise.allSettled(
      ['c', 'd', 'e'].map((keyId) => handler.handle(tenantAggregate, tenantStream(tenantId), issueKey(keyId), { context: systemContext(h.runtime, tenantId), ifMatch: 1n })),
    );
    expect(racers.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of racers) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(PreconditionFailedError);
  });

  it('appends nothing when the decider has nothing to do', async () => {
    const { tenantId, created } = await newTenant();
    await handler.handle(tenantAggregate, tenantStream(tenantId), issueKey('x'), { context: systemContext(h.runtime, tenantId) });
    await handler.handle(tenantAggregate, tenantStream(tenantId), { type: 'RevokeApiKey', data: { keyId: 'x', revokedBy: 'u-1' } }, { context: systemContext(h.runtime, tenantId) });
    const again = await handler.handle(tenantAggregate, tenantStream(tenantId), { type: 'RevokeApiKey', data: { keyId: 'x', revokedBy: 'u-1' } }, { context: systemContext(h.runtime, tenantId) });
    expect(again).toMatchObject({ events: [], revision: created.revision + 2n });
  });
});
