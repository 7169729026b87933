import type { Request } from 'express';
import { postAggregate } from '../../commands/post-aggregate.js';
import type { CommandHandler } from '../../commands/command-handler.js';
import { commandContext } from '../../commands/metadata.js';
import type { Runtime } from '../../commands/runtime.js';
import { postNotFound, postStream, type ActivePost, type PostCommand } from '../../domain/post/index.js';
import type { UserCaller } from '../../domain/shared/caller.js';
import { ForbiddenError, PreconditionFailedError } from '../../domain/shared/errors.js';
import type { Position } from '../../infra/event-store/event-store.js';
import type { PostReads } from '../../projections/posts/post-queries.js';
import { mayReadPost } from './post-read-rule.js';
import { requestInfo } from '../request-info.js';

export interface PostCommandDeps {
  commands: CommandHandler;
  runtime: Runtime;
  reads: PostReads;
}

export interface PostCommandOutcome {
  post: ActivePost | undefined;
  revision: bigint;
  position: Position | undefined;
}

/**
 * Runs one command on a post's stream for a user. A refusal the caller
 * could use to learn that a post they may not read exists (403 from the
 * decider, 412 from a stale If-Match) becomes 404 unless the caller may
 * read it: from the stream when the post alone says so (public, or theirs
 * to change), else from the read models (a collection they may read holds it).
 */
export async function runPostCommand(
  deps: PostCommandDeps,
  req: Request,
  caller: UserCaller,
  postId: string,
  command: PostCommand,
  ifMatch: bigint | undefined,
): Promise<PostCommandOutcome> {
  const context = commandContext(deps.runtime, requestInfo(req), { type: 'user', id: caller.userId }, caller.tenantId);
  // A new post's id was generated for this request: its stream cannot exist yet and is not read.
  const newStream = command.type === 'CreatePost';
  try {
    const result = await deps.commands.handle(postAggregate, postStream(postId), command, { context, newStream, ...(ifMatch === undefined ? {} : { ifMatch }) });
    return { post: result.state.status === 'Active' ? result.state : undefined, revision: result.revision, position: result.position };
  } catch (error) {
    const mightLeak = (error instanceof ForbiddenError && error.code === 'not_post_author') || error instanceof PreconditionFailedError;
    if (mightLeak && !(await mayRead(deps, caller, postId))) throw postNotFound();
    throw error;
  }
}

async function mayRead(deps: PostCommandDeps, caller: UserCaller, postId: string): Promise<boolean> {
  const { state } = await deps.commands.load(postAggregate, postStream(postId));
  return state.status === 'Active' && (await mayReadPost(deps.reads, caller, state));
}
