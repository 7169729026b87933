import type { IdentityService } from '../../auth/identity-service.js';
import type { RequestInfo } from '../../auth/identity/request-info.js';
import { AuthenticationError } from '../../auth/errors.js';
import type { CommandHandler } from '../../commands/command-handler.js';
import type { CommandContext } from '../../commands/metadata.js';
import { postAggregate } from '../../commands/post-aggregate.js';
import type { Runtime } from '../../commands/runtime.js';
import type { PostCommand } from '../../domain/post/commands.js';
import { postStream } from '../../domain/post/streams.js';
import type { UserCaller } from '../../domain/shared/caller.js';
import { post as demoPost } from './demo-content.js';

/**
 * What happens to demo things after they are made, so the audit trail has
 * a history to inspect: sign-ins (some after a mistyped password), posts
 * revised and made public, a few deleted (the worker then takes them out of
 * their collections, in the deletion's correlation). Each action is its own
 * request with its own correlation id, as a person's would be. Only things
 * the run created get a history, so a second run still appends nothing.
 */
export interface HistoryDeps {
  identity: IdentityService;
  commands: CommandHandler;
  runtime: Runtime;
}

export interface DemoAccount {
  email: string;
  password: string;
}

const REQUEST: RequestInfo = { requestId: null, ip: null, userAgent: 'chronicle seed-demo' };

/** Signs in; every fourth account first with a mistyped password. Returns the events appended. */
export async function signInHistory(deps: HistoryDeps, actor: DemoAccount, index: number): Promise<number> {
  let events = 0;
  if (index % 4 === 1) {
    try {
      await deps.identity.login({ email: actor.email, password: `${actor.password}-typo` }, REQUEST);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      events++;
    }
  }
  await deps.identity.login({ email: actor.email, password: actor.password }, REQUEST);
  return events + 1;
}

/** Revisions of a post just created: none, one or two edits of its text, and some private ones made public. */
export async function postHistory(deps: HistoryDeps, author: UserCaller, postId: string, index: number): Promise<number> {
  let events = 0;
  const revisions = index % 3;
  for (let revision = 1; revision <= revisions; revision++) {
    const text = demoPost(index * 31 + revision);
    events += await postCommand(deps, author, postId, { type: 'UpdatePost', by: author, data: { title: text.title, body: text.body } });
  }
  if (index % 5 === 4) events += await postCommand(deps, author, postId, { type: 'UpdatePost', by: author, data: { visibility: 'public' } });
  return events;
}

/** Whether the demo deletes this post, once its collections hold it. */
export function deletedInDemo(index: number): boolean {
  return index % 10 === 7;
}

export async function deletePost(deps: HistoryDeps, author: UserCaller, postId: string): Promise<number> {
  return postCommand(deps, author, postId, { type: 'DeletePost', by: author, data: {} });
}

async function postCommand(deps: HistoryDeps, by: UserCaller, postId: string, command: PostCommand): Promise<number> {
  const result = await deps.commands.handle(postAggregate, postStream(postId), command, { context: requestContext(deps.runtime, by) });
  return result.events.length;
}

/** A request of its own: a fresh correlation id, which its events (and those they cause) carry. */
function requestContext(runtime: Runtime, by: UserCaller): CommandContext {
  const correlationId = runtime.newId();
  return { actor: { type: 'user', id: by.userId }, tenantId: by.tenantId, correlationId, causationId: correlationId, requestId: null };
}
