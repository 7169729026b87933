/**
 * The feed bench's readers: `count` admins of one tenant, each with a
 * session of their own. An admin may read every event of their tenant, so
 * each of them, subscribed with no filter, is sent every post written in it.
 * Sockets share them (the feed decides per socket and event all the same).
 * The first admin signs up (creating the tenant), invites the others as
 * admins, and is the writer.
 */

const PASSWORD = 'correct horse battery staple';
/** Signups with an invitation each append to the tenant's stream: a few at a time, so conflicts stay rare. */
const SIGNUP_CONCURRENCY = 4;
const CONFLICT_RETRIES = 5;

export interface TenantAdmins {
  /** Bearer tokens, one per admin; the first is the writer's. */
  tokens: string[];
  tenantId: string;
}

interface AuthAnswer {
  accessToken: string;
  user: { tenantId: string };
}

export async function signUpTenantAdmins(baseUrl: string, count: number): Promise<TenantAdmins> {
  const run = Date.now().toString(36);
  const first = await send<AuthAnswer>(baseUrl, 'POST', '/auth/signup', 201, { email: `feed-admin-0-${run}@example.com`, password: PASSWORD });
  const invitations: string[] = [];
  // One at a time: every invitation is an event of the tenant's stream.
  for (let index = 1; index < count; index++) {
    const invitation = await send<{ token: string }>(baseUrl, 'POST', '/api/invitations', 201, { email: `feed-admin-${index}-${run}@example.com`, role: 'admin' }, first.accessToken);
    invitations.push(invitation.token);
  }
  const tokens: string[] = new Array<string>(invitations.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: SIGNUP_CONCURRENCY }, async () => {
      while (next < invitations.length) {
        const index = next++;
        const answer = await send<AuthAnswer>(baseUrl, 'POST', '/auth/signup', 201, {
          email: `feed-admin-${index + 1}-${run}@example.com`,
          password: PASSWORD,
          invitationToken: invitations[index]!,
        });
        if (answer.user.tenantId !== first.user.tenantId) throw new Error('an invited admin signed up into another tenant');
        tokens[index] = answer.accessToken;
      }
    }),
  );
  return { tokens: [first.accessToken, ...tokens], tenantId: first.user.tenantId };
}

/** One JSON request; a 409 (a concurrent change of the same stream) is tried again. */
export async function send<T>(baseUrl: string, method: string, path: string, status: number, body: unknown, token?: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status === status) return JSON.parse(text) as T;
    if (response.status !== 409 || attempt >= CONFLICT_RETRIES) throw new Error(`${method} ${path}: expected ${status}, got ${response.status}: ${text.slice(0, 200)}`);
  }
}
