import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createIdentity } from '../../api/identity/create-identity.js';
import { createFeatureContext } from '../../app/feature-context.js';
import { seedDemo } from '../../app/seed/seed-demo.js';
import { GENEROUS_LIMITS_ENV } from '../support/auth-http.js';
import { TEST_SCRYPT } from '../support/identity-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: GENEROUS_LIMITS_ENV });
}, 60_000);
afterAll(async () => app?.stop());

describe('seed-demo', () => {
  it('loads tenants, users with roles, posts and collections through the command handlers; a second run appends nothing', async () => {
    const context = createFeatureContext(app.services);
    const deps = { identity: await createIdentity(context, { scrypt: TEST_SCRYPT }), commands: context.commands, runtime: context.runtime };
    const steps: number[] = [];
    const first = await seedDemo(deps, { users: 6, posts: 16 }, (done, total) => steps.push(done / total));
    expect(first).toMatchObject({ tenants: 2, users: 6, posts: 16, collections: 2 });
    expect(first.created).toBeGreaterThanOrEqual(6 + 16 + 2);
    expect(steps.at(-1)).toBe(1);
    const types = (await app.services.eventStore.readAll()).map((event) => event.type);
    expect(types.filter((type) => type === 'TenantCreated')).toHaveLength(2);
    expect(types.filter((type) => type === 'UserRoleGranted').length).toBeGreaterThanOrEqual(6);
    expect(types.filter((type) => type === 'PostCreated')).toHaveLength(16);
    expect(types.filter((type) => type === 'CollectionCreated')).toHaveLength(2);
    // A history to inspect with the audit trail: sign-ins (one after a mistyped password), revisions, a deletion.
    expect(types.filter((type) => type === 'UserLoggedIn').length).toBeGreaterThanOrEqual(6);
    expect(types.filter((type) => type === 'UserLoginFailed')).toHaveLength(2);
    expect(types.filter((type) => type === 'PostUpdated').length).toBeGreaterThanOrEqual(15);
    expect(types.filter((type) => type === 'PostDeleted')).toHaveLength(1);

    const head = await app.services.eventStore.headPosition();
    const second = await seedDemo(deps, { users: 6, posts: 16 }, () => undefined);
    expect(second).toMatchObject({ ...first, created: 0 });
    expect(await app.services.eventStore.headPosition()).toBe(head);
  });
});
