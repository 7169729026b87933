import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { userStream } from '../../domain/user/streams.js';
import { loadConfig } from '../../infra/config/config.js';
import { expectError, expectJson, GENEROUS_LIMITS_ENV, HttpClient, type AuthAnswer } from '../support/auth-http.js';
import { freePort } from '../support/free-port.js';
import { GOOD_PASSWORD, TestClock, uniqueEmail } from '../support/identity-harness.js';
import { linkIn, startTestMailbox, type ReceivedMail, type TestMailbox } from '../support/test-mailbox.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { systemRuntime } from '../../commands/runtime.js';

const BOSS = uniqueEmail('boss');
const NEW_PASSWORD = 'a brand new passphrase 2';

let mailbox: TestMailbox;
let app: TestApp;
let http: HttpClient;
let publicUrl: string;
const clock = new TestClock();
const logLines: string[] = [];

beforeAll(async () => {
  mailbox = await startTestMailbox();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  app = await startTestApp({
    env: {
      ...GENEROUS_LIMITS_ENV,
      PORT: String(port),
      PUBLIC_URL: `${publicUrl}/`,
      SMTP_URL: mailbox.url,
      MAIL_FROM: 'Chronicle <no-reply@chronicle.test>',
      OPERATOR_EMAILS: BOSS.toUpperCase(),
      RATE_LIMIT_VERIFY_EMAIL_RESEND_PER_USER: '2',
      RATE_LIMIT_PASSWORD_RESET_PER_EMAIL: '2',
      LOG_LEVEL: 'trace',
    },
    identity: { runtime: { newId: systemRuntime().newId, now: clock.now } },
    logDestination: { write: (line: string) => void logLines.push(line) },
  });
  http = new HttpClient(app.url);
});
afterAll(async () => {
  await app?.stop();
  await mailbox?.close();
});

const tokenOf = (link: URL) => new URLSearchParams(link.hash.slice(1)).get('token') ?? '';

/** Opens the link as a browser would (the fragment stays in the browser) and returns the token its page would POST. */
async function follow(mail: ReceivedMail, page: string): Promise<string> {
  const link = linkIn(mail);
  expect(`${link.origin}${link.pathname}`).toBe(`${publicUrl}${page}`);
  const response = await fetch(new URL(`${link.pathname}${link.search}`, app.url));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await response.text()).toContain('<script>');
  return tokenOf(link);
}

async function userEvents(userId: string) {
  return app.services.eventStore.readStream(userStream(userId));
}

describe('email verification', () => {
  it('mails a link at signup over SMTP; the link verifies the address once (UserEmailVerified), and /auth/me shows it', async () => {
    const signed = await http.signup({ displayName: 'Ada' });
    expect(signed.user).toMatchObject({ emailVerified: false });
    const mail = await mailbox.next(signed.user.email);
    expect(mail).toMatchObject({ from: 'no-reply@chronicle.test', subject: 'Confirm your email address', username: 'chronicle' });
    expect(mail.raw).toMatch(/^From: Chronicle <no-reply@chronicle\.test>/m);
    const token = await follow(mail, '/auth/verify-email');

    const verified = await expectJson<AuthAnswer['user']>(await http.post('/auth/verify-email', { token }), 200);
    expect(verified).toMatchObject({ id: signed.user.id, emailVerified: true });
    expect(await expectJson(await http.get('/auth/me', { bearer: signed.accessToken }), 200)).toMatchObject({ emailVerified: true });
    await expectError(await http.post('/auth/verify-email', { token }), 422, 'invalid_verification_token');
    const events = (await userEvents(signed.user.id)).filter((event) => event.type === 'UserEmailVerified');
    expect(events.map((event) => event.data)).toEqual([{ userId: signed.user.id, email: signed.user.email, method: 'link' }]);
  });

  it('refuses a made-up, a malformed or a reset token', async () => {
    await expectError(await http.post('/auth/verify-email', { token: `chv_${'A'.repeat(43)}` }), 422, 'invalid_verification_token');
    await expectError(await http.post('/auth/verify-email', { token: '' }), 422, 'validation_failed');
    await expectError(await http.post('/auth/verify-email', {}), 422, 'validation_failed');
    const signed = await http.signup();
    await mailbox.next(signed.user.email);
    await expectJson(await http.post('/auth/password-reset', { email: signed.user.email }), 202);
    const resetToken = tokenOf(linkIn(await mailbox.next(signed.user.email)));
    await expectError(await http.post('/auth/verify-email', { token: resetToken }), 422, 'invalid_verification_token');
  });

  it('sends a new link to a signed-in user on request (the old one dies), limited, and never once verified', async () => {
    const signed = await http.signup();
    const first = tokenOf(linkIn(await mailbox.next(signed.user.email)));
    await expectError(await http.post('/auth/verify-email/resend', {}), 401, 'unauthenticated');
    expect((await http.post('/auth/verify-email/resend', {}, { bearer: signed.accessToken })).status).toBe(202);
    const second = tokenOf(linkIn(await mailbox.next(signed.user.email)));
    expect((await http.post('/auth/verify-email/resend', {}, { bearer: signed.accessToken })).status).toBe(202);
    const third = tokenOf(linkIn(await mailbox.next(signed.user.email)));
    const limited = await http.post('/auth/verify-email/resend', {}, { bearer: signed.accessToken });
    await expectError(limited, 429, 'too_many_requests');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    for (const stale of [first, second]) await expectError(await http.post('/auth/verify-email', { token: stale }), 422, 'invalid_verification_token');
    await expectJson(await http.post('/auth/verify-email', { token: third }), 200);
    await expectError(await http.post('/auth/verify-email/resend', {}, { bearer: (await http.login(signed.user.email)).accessToken }), 409, 'email_already_verified');
  });
});

describe('OPERATOR_EMAILS', () => {
  it('grants operator only once the listed address is verified: never at signup, never at login before', async () => {
    await http.signup(); // the installation's first account, which is operator by being first
    const boss = await http.signup({ email: BOSS });
    expect(boss.user.roles).toEqual(['admin']);
    const login = await http.login(BOSS);
    expect(login.user.roles).toEqual(['admin']);
    await expectError(await http.get('/api/admin/projections', { bearer: login.accessToken }), 403, 'operator_required');

    const verified = await expectJson<AuthAnswer['user']>(await http.post('/auth/verify-email', { token: tokenOf(linkIn(await mailbox.next(BOSS))) }), 200);
    expect(verified.roles).toEqual(['admin', 'operator']);
    const after = await http.login(BOSS);
    expect(after.user.roles).toEqual(['admin', 'operator']);
    await expectJson(await http.get('/api/admin/projections', { bearer: after.accessToken }), 200);
  });
});

describe('password reset', () => {
  it('answers 202 for any address; mails a one-time link that sets the password and ends every session', async () => {
    const owner = await http.signup();
    await mailbox.next(owner.user.email);
    const otherDevice = await http.login(owner.user.email);
    const unknown = uniqueEmail('nobody');
    const answers = await Promise.all([http.post('/auth/password-reset', { email: unknown }), http.post('/auth/password-reset', { email: owner.user.email.toUpperCase() })]);
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(await answer.text()).toBe('');
    }
    const mail = await mailbox.next(owner.user.email);
    expect(mail.subject).toBe('Reset your password');
    expect(mail.text).toContain('15 minutes');
    const token = await follow(mail, '/auth/password-reset');

    // A weak password is refused without using the link up.
    await expectError(await http.post('/auth/password-reset/confirm', { token, newPassword: 'short' }), 422, 'weak_password');
    await http.login(owner.user.email); // the old password still works until the reset is confirmed
    expect((await http.post('/auth/password-reset/confirm', { token, newPassword: NEW_PASSWORD })).status).toBe(204);

    for (const session of [owner, otherDevice]) {
      await expectError(await http.get('/auth/me', { bearer: session.accessToken }), 401, 'session_ended');
      await expectError(await http.post('/auth/refresh', { refreshToken: session.refreshToken }), 401, 'invalid_refresh_token');
    }
    await expectError(await http.post('/auth/login', { email: owner.user.email, password: GOOD_PASSWORD }), 401, 'invalid_credentials');
    const fresh = await http.login(owner.user.email, NEW_PASSWORD);
    expect(fresh.user.emailVerified).toBe(true); // the link proved the address
    await expectError(await http.post('/auth/password-reset/confirm', { token, newPassword: 'yet another passphrase' }), 422, 'invalid_reset_token');
    expect((await userEvents(owner.user.id)).map((event) => event.type)).toContain('UserPasswordReset');
    expect(mailbox.received.some((received) => received.to.includes(unknown))).toBe(false);
  });

  it('keeps only a hash of the token, and the link dies after 15 minutes', async () => {
    const owner = await http.signup();
    await mailbox.next(owner.user.email);
    await expectJson(await http.post('/auth/password-reset', { email: owner.user.email }), 202);
    const token = tokenOf(linkIn(await mailbox.next(owner.user.email)));
    const stored = JSON.stringify(await app.services.knex('auth_email_tokens').select());
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(token.slice(4));
    clock.advance(15 * 60_000 + 1_000);
    await expectError(await http.post('/auth/password-reset/confirm', { token, newPassword: NEW_PASSWORD }), 422, 'invalid_reset_token');
    await http.login(owner.user.email);
  });

  it('stops mailing an address after RATE_LIMIT_PASSWORD_RESET_PER_EMAIL, answering alike', async () => {
    const owner = await http.signup();
    await mailbox.next(owner.user.email);
    for (let i = 0; i < 3; i++) expect((await http.post('/auth/password-reset', { email: owner.user.email })).status).toBe(202);
    await mailbox.next(owner.user.email);
    await mailbox.next(owner.user.email);
    await expect(mailbox.next(owner.user.email, 500)).rejects.toThrow(/no mail/);
  });

  it('claims an account whose address was never verified: what its creator issued ends', async () => {
    const email = uniqueEmail('victim');
    const attacker = await http.signup({ email, password: 'the attacker knows this one' });
    await mailbox.next(email); // the victim ignores the verification mail
    const apiKey = await expectJson<{ key: string }>(await http.post('/api/api-keys', { name: 'backdoor' }, { bearer: attacker.accessToken }), 201);
    const invitation = await expectJson<{ token: string }>(await http.post('/api/invitations', { email: uniqueEmail('accomplice') }, { bearer: attacker.accessToken }), 201);

    await expectJson(await http.post('/auth/password-reset', { email }), 202);
    const token = tokenOf(linkIn(await mailbox.next(email)));
    expect((await http.post('/auth/password-reset/confirm', { token, newPassword: NEW_PASSWORD })).status).toBe(204);

    await expectError(await http.get('/auth/me', { bearer: attacker.accessToken }), 401, 'session_ended');
    await expectError(await http.get('/auth/verify', { headers: { 'x-api-key': apiKey.key } }), 401, 'invalid_api_key');
    await expectError(await http.post('/auth/signup', { email: uniqueEmail('accomplice'), password: GOOD_PASSWORD, invitationToken: invitation.token }), 404, 'invitation_not_found');
    expect((await http.login(email, NEW_PASSWORD)).user).toMatchObject({ id: attacker.user.id, emailVerified: true });
    expect((await userEvents(attacker.user.id)).map((event) => event.type)).toEqual(expect.arrayContaining(['UserAccountClaimed', 'UserEmailVerified', 'UserPasswordReset']));
  });
});

describe('OpenAPI', () => {
  it('documents the email routes and pages, and the OIDC cookie and outcomes', async () => {
    type Operation = { security?: unknown[]; requestBody?: unknown; responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, unknown> }> };
    const document = await expectJson<{ paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }> } }>(
      await http.get('/openapi.json'),
      200,
    );
    const { paths } = document;
    expect(paths['/auth/verify-email']?.post?.requestBody).toBeDefined();
    expect(paths['/auth/verify-email']?.get?.responses['200']?.content).toHaveProperty(['text/html']);
    expect(paths['/auth/verify-email/resend']?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(paths['/auth/password-reset']?.post?.responses ?? {})).toContain('202');
    expect(paths['/auth/password-reset']?.post?.security).toBeUndefined();
    expect(paths['/auth/password-reset/confirm']?.post?.requestBody).toBeDefined();
    expect(paths['/auth/password-reset']?.get).toBeDefined();
    expect(paths['/auth/oidc/{provider}/login']?.get?.responses['302']?.headers).toHaveProperty(['Set-Cookie']);
    expect(Object.keys(paths['/auth/oidc/{provider}/callback']?.get?.responses ?? {})).toContain('409');
    expect(document.components.schemas.OidcLoginResult?.properties?.outcome?.enum).toContain('taken_over');
    expect(document.components.schemas.User?.properties).toHaveProperty(['emailVerified']);
  });
});

describe('mail and secrets', () => {
  it('keeps tokens, passwords and the SMTP password out of the logs and the event log', async () => {
    const logs = logLines.join('');
    expect(logs).not.toContain(mailbox.password);
    expect(logs).not.toContain(NEW_PASSWORD);
    expect(logs).not.toMatch(/ch[vr]_[A-Za-z0-9_-]{43}/);
    const events = JSON.stringify((await app.services.eventStore.readAll()).map(({ data, metadata }) => ({ data, metadata })));
    expect(events).not.toMatch(/ch[vr]_[A-Za-z0-9_-]{43}/);
    expect(events).not.toContain(NEW_PASSWORD);
  });

  it('without SMTP_URL writes each message to the log at info, with a link that works', async () => {
    const lines: string[] = [];
    const port = await freePort();
    const local = await startTestApp({
      env: { ...GENEROUS_LIMITS_ENV, PORT: String(port), LOG_LEVEL: 'info' },
      logDestination: { write: (line: string) => void lines.push(line) },
    });
    try {
      const client = new HttpClient(local.url);
      const signed = await client.signup();
      const logged = await waitForLog(lines, signed.user.email);
      expect(logged).toMatchObject({ level: 30, mail: { to: signed.user.email, subject: 'Confirm your email address' } });
      const link = new URL(logged.mail.link);
      expect(link.origin).toBe(`http://localhost:${port}`);
      await expectJson(await client.post('/auth/verify-email', { token: tokenOf(link) }), 200);
      expect(lines.some((line) => line.includes('SMTP_URL is not set'))).toBe(true);
    } finally {
      await local.stop();
    }
  });

  it('signs up even when the SMTP server refuses the login, and logs why without its password', async () => {
    const lines: string[] = [];
    const wrongPassword = 'not-the-smtp-password';
    const local = await startTestApp({
      env: { ...GENEROUS_LIMITS_ENV, SMTP_URL: mailbox.url.replace(mailbox.password, wrongPassword), LOG_LEVEL: 'info' },
      logDestination: { write: (line: string) => void lines.push(line) },
    });
    try {
      const signed = await new HttpClient(local.url).signup();
      expect(signed.user.emailVerified).toBe(false);
    } finally {
      await local.stop(); // waits for the send to fail
    }
    const failure = lines.find((line) => line.includes('verification mail failed'));
    expect(failure).toBeDefined();
    expect(JSON.parse(failure ?? '{}')).toMatchObject({ level: 50, task: 'verification mail', reason: expect.stringMatching(/auth|login|credentials/i) });
    expect(lines.join('')).not.toContain(wrongPassword);
  });

  it('takes PUBLIC_URL as given, http://localhost:$PORT otherwise, and never prints SMTP_URL', () => {
    expect(loadConfig({ PORT: '8080' })).toMatchObject({ PUBLIC_URL: 'http://localhost:8080', MAIL_FROM: 'Chronicle <chronicle@localhost>', PASSWORD_RESET_TTL_SECONDS: 900 });
    expect(loadConfig({ PUBLIC_URL: 'https://chronicle.example/' }).PUBLIC_URL).toBe('https://chronicle.example');
    expect(() => loadConfig({ SMTP_URL: 'http://user:hunter2@mail.example' })).toThrow(/^invalid configuration: SMTP_URL must look like smtp:/);
    expect(() => loadConfig({ SMTP_URL: 'http://user:hunter2@mail.example' })).not.toThrow(/hunter2/);
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://chronicle.example' })).toThrow(/PUBLIC_URL must be an http or https URL/);
  });
});

interface LoggedMail {
  level: number;
  mail: { to: string; subject: string; link: string };
}

async function waitForLog(lines: string[], to: string): Promise<LoggedMail> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const line = lines.find((candidate) => candidate.includes('"mail"') && candidate.includes(to));
    if (line) return JSON.parse(line) as LoggedMail;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no mail to ${to} in the log`);
}
