import { v5 as uuidv5 } from 'uuid';
import type { IdentityService } from '../../auth/identity-service.js';
import type { RequestInfo } from '../../auth/identity/request-info.js';
import type { Principal } from '../../auth/principal.js';
import { emailReservationAggregate, userAggregate } from '../../commands/identity/aggregates.js';
import { collectionAggregate } from '../../commands/collection-aggregate.js';
import type { CommandHandler } from '../../commands/command-handler.js';
import type { CommandContext } from '../../commands/metadata.js';
import { postAggregate } from '../../commands/post-aggregate.js';
import type { Runtime } from '../../commands/runtime.js';
import type { CollectionCommand } from '../../domain/collection/commands.js';
import { collectionStream } from '../../domain/collection/streams.js';
import { emailReservationStream } from '../../domain/email/email-reservation.js';
import { normaliseEmail } from '../../domain/email/email-address.js';
import { postStream } from '../../domain/post/streams.js';
import type { UserCaller } from '../../domain/shared/caller.js';
import { ConflictError } from '../../domain/shared/errors.js';
import type { Role, TenantRole } from '../../domain/user/roles.js';
import { userStream } from '../../domain/user/streams.js';
import { collectionName, person, post, seededRandom, type DemoPerson } from './demo-content.js';
import { deletedInDemo, deletePost, postHistory, signInHistory } from './demo-history.js';

/** Demo ids are derived from this namespace and the item's number: a second run names the same things. */
const DEMO_NAMESPACE = '0b7f4d8e-5c1a-4e2b-9f3d-6a8c2e1b7d40';
/** Every demo account signs in with it (printed at the end of a run). */
export const DEMO_PASSWORD = 'chronicle-demo-password';

export interface SeedDemoDeps {
  identity: IdentityService;
  commands: CommandHandler;
  runtime: Runtime;
}

export interface SeedDemoOptions {
  users: number;
  posts: number;
}

export interface SeedSummary {
  tenants: number;
  users: number;
  posts: number;
  collections: number;
  /** Things this run created and events of their history; 0 on a second run with the same options. */
  created: number;
}

interface DemoUser {
  userId: string;
  tenantId: string;
  roles: readonly Role[];
  email: string;
}

const REQUEST: RequestInfo = { requestId: null, ip: null, userAgent: 'chronicle seed-demo' };

/**
 * Loads demo data through the command handlers (and identity's signup and
 * invitations, for the accounts): tenants with an admin and members, posts
 * with real-looking text, public and private collections with members.
 * Idempotent: accounts are found by their email, posts and collections have
 * ids derived from their number, and adding what is there appends nothing.
 */
export async function seedDemo(deps: SeedDemoDeps, options: SeedDemoOptions, onProgress: (done: number, total: number) => void): Promise<SeedSummary> {
  const tenantCount = Math.max(1, Math.min(options.users, Math.ceil(options.users / 5)));
  const collectionCount = options.posts === 0 ? 0 : Math.max(1, Math.ceil(options.posts / 8));
  const total = options.users + options.posts + collectionCount;
  let done = 0;
  let created = 0;
  const step = () => onProgress(++done, total);
  const correlationId = deps.runtime.newId();

  const users: DemoUser[] = [];
  for (let index = 0; index < options.users; index++) {
    const tenantIndex = index % tenantCount;
    const admin = index < tenantCount ? undefined : users[tenantIndex];
    const role: TenantRole = index >= tenantCount && index % 7 === 0 ? 'admin' : 'member';
    const demo = person(index, tenantIndex);
    const outcome = await ensureUser(deps, demo, admin, role);
    users.push(outcome.user);
    if (outcome.created) created += 1 + (await signInHistory(deps, { email: demo.email, password: DEMO_PASSWORD }, index));
    step();
  }

  const postsByTenant = new Map<string, Array<{ postId: string; authorId: string; visibility: string }>>();
  const toDelete: Array<{ postId: string; by: UserCaller }> = [];
  for (let index = 0; index < options.posts && users.length > 0; index++) {
    const author = users[index % users.length]!;
    const postId = demoId('post', index);
    const content = post(index);
    const by = callerOf(author);
    if (await createdNow(() => deps.commands.handle(postAggregate, postStream(postId), { type: 'CreatePost', by, data: { postId, ...content } }, { context: context(author, correlationId) }))) {
      created += 1 + (await postHistory(deps, by, postId, index));
      if (deletedInDemo(index)) toDelete.push({ postId, by });
    }
    postsByTenant.set(author.tenantId, [...(postsByTenant.get(author.tenantId) ?? []), { postId, authorId: author.userId, visibility: content.visibility }]);
    step();
  }

  for (let index = 0; index < collectionCount && users.length > 0; index++) {
    const owner = users[index % users.length]!;
    const collectionId = demoId('collection', index);
    const by = callerOf(owner);
    const stream = collectionStream(collectionId);
    const run = (command: CollectionCommand) => deps.commands.handle(collectionAggregate, stream, command, { context: context(owner, correlationId) });
    const visibility = index % 3 === 0 ? 'public' : 'private';
    if (await createdNow(() => run({ type: 'CreateCollection', by, data: { collectionId, name: collectionName(index), visibility } }))) created++;
    const random = seededRandom(10_000 + index);
    const readable = (postsByTenant.get(owner.tenantId) ?? []).filter((candidate) => by.admin || candidate.visibility === 'public' || candidate.authorId === owner.userId);
    for (const candidate of readable.filter(() => random() < 0.5).slice(0, 6)) {
      // A post an earlier run deleted stays out (adding it would bring it back into the collection).
      if ((await deps.commands.load(postAggregate, postStream(candidate.postId))).state.status !== 'Active') continue;
      const result = await run({ type: 'AddPost', by, data: { postId: candidate.postId, post: { tenantId: owner.tenantId, readable: true } } });
      created += result.events.length;
    }
    const colleagues = users.filter((user) => user.tenantId === owner.tenantId && user.userId !== owner.userId);
    for (const [position, member] of colleagues.filter(() => random() < 0.4).slice(0, 3).entries()) {
      const role = position === 0 ? 'editor' : 'viewer';
      const result = await run({ type: 'AddMember', by, data: { userId: member.userId, role, user: { tenantId: member.tenantId } } });
      created += result.events.length;
    }
    step();
  }
  // Last, once collections hold them: the worker then takes each out of its collections, in the deletion's correlation.
  for (const { postId, by } of toDelete) created += await deletePost(deps, by, postId);
  return { tenants: tenantCount, users: users.length, posts: options.posts, collections: collectionCount, created };
}

/** Finds the account of the person's email, or creates it: the tenant's first person signs up, the others are invited by its admin. */
async function ensureUser(deps: SeedDemoDeps, demo: DemoPerson, admin: DemoUser | undefined, role: TenantRole): Promise<{ user: DemoUser; created: boolean }> {
  const existing = await findUser(deps.commands, demo.email);
  if (existing) return { user: existing, created: false };
  let invitationToken: string | undefined;
  if (admin) {
    const principal: Principal = { kind: 'user', userId: admin.userId, tenantId: admin.tenantId, roles: admin.roles, sessionId: 'seed-demo' };
    invitationToken = (await deps.identity.invite(principal, { email: demo.email, role }, REQUEST)).token;
  }
  const signedUp = await deps.identity.signup({ email: demo.email, password: DEMO_PASSWORD, displayName: demo.displayName, ...(invitationToken ? { invitationToken } : {}) }, REQUEST);
  const { id, tenantId, roles } = signedUp.user;
  return { user: { userId: id, tenantId, roles, email: demo.email }, created: true };
}

async function findUser(commands: CommandHandler, email: string): Promise<DemoUser | undefined> {
  const reservation = await commands.load(emailReservationAggregate, emailReservationStream(normaliseEmail(email)));
  if (reservation.state.status !== 'Reserved') return undefined;
  const { state } = await commands.load(userAggregate, userStream(reservation.state.userId));
  return state.status === 'Active' ? { userId: state.userId, tenantId: state.tenantId, roles: state.roles, email } : undefined;
}

/** True when the creation appended; false when it was there already (a second run). */
async function createdNow(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (error instanceof ConflictError && (error.code === 'post_exists' || error.code === 'collection_exists')) return false;
    throw error;
  }
}

function demoId(kind: string, index: number): string {
  return uuidv5(`${kind}/${index}`, DEMO_NAMESPACE);
}

function callerOf(user: DemoUser): UserCaller {
  return { type: 'user', userId: user.userId, tenantId: user.tenantId, admin: user.roles.includes('admin') };
}

function context(user: DemoUser, correlationId: string): CommandContext {
  return { actor: { type: 'user', id: user.userId }, tenantId: user.tenantId, correlationId, causationId: correlationId, requestId: null };
}
