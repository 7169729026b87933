import type { Caller } from '../shared/caller.js';
import type { Decider } from '../shared/decider.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { mayChangePost } from './access.js';
import type { PostCommand } from './commands.js';
import type { PostEvent } from './events.js';
import { postBodySchema, postTitleSchema } from './limits.js';
import type { ActivePost, PostState } from './state.js';

export const postDecider: Decider<PostState, PostCommand, PostEvent> = {
  initialState: () => ({ status: 'Empty' }),
  evolve,
  decide,
};

function evolve(state: PostState, event: PostEvent): PostState {
  switch (event.type) {
    case 'PostCreated': {
      const { postId, tenantId, authorId, title, body, format, visibility } = event.data;
      return { status: 'Active', postId, tenantId, authorId, title, body, format, visibility };
    }
    case 'PostUpdated':
      return state.status === 'Active' ? { ...state, title: event.data.title, body: event.data.body, format: event.data.format } : state;
    case 'PostVisibilityChanged':
      return state.status === 'Active' ? { ...state, visibility: event.data.visibility } : state;
    case 'PostDeleted':
      return state.status === 'Active' ? { status: 'Deleted', postId: state.postId, tenantId: state.tenantId, authorId: state.authorId } : state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function decide(command: PostCommand, state: PostState): PostEvent[] {
  switch (command.type) {
    case 'CreatePost': {
      if (state.status !== 'Empty') throw new ConflictError('the post already exists', { code: 'post_exists' });
      refuseInvalidContent(command.data);
      const { userId: authorId, tenantId } = command.by;
      const { postId, title, body, format, visibility } = command.data;
      return [{ type: 'PostCreated', data: { postId, tenantId, authorId, title, body, format, visibility } }];
    }
    case 'UpdatePost': {
      const post = changeablePost(state, command.by);
      const { visibility, ...content } = command.data;
      refuseInvalidContent(content);
      const next = { title: content.title ?? post.title, body: content.body ?? post.body, format: content.format ?? post.format };
      const contentChanged = next.title !== post.title || next.body !== post.body || next.format !== post.format;
      return [
        ...(contentChanged ? [{ type: 'PostUpdated' as const, data: { postId: post.postId, ...next } }] : []),
        ...(visibility !== undefined && visibility !== post.visibility
          ? [{ type: 'PostVisibilityChanged' as const, data: { postId: post.postId, visibility } }]
          : []),
      ];
    }
    case 'DeletePost': {
      const post = changeablePost(state, command.by);
      return [{ type: 'PostDeleted', data: { postId: post.postId } }];
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/**
 * The post, if it exists and the caller may change it. Whether a refused
 * caller may at least read it (403) or must not learn it exists (404) takes
 * the collections read model; the caller of the command decides
 * (`not_post_author` is always a ForbiddenError here).
 */
function changeablePost(state: PostState, by: Caller): ActivePost {
  if (state.status !== 'Active') throw postNotFound();
  if (mayChangePost(state, by)) return state;
  throw new ForbiddenError('only the author of the post or an admin of its tenant may change it', { code: 'not_post_author' });
}

export function postNotFound(): NotFoundError {
  return new NotFoundError('no such post', { code: 'post_not_found' });
}

/** The limits, checked again here so no command path can append a post the edge would refuse. */
function refuseInvalidContent(content: { title?: string | undefined; body?: string | undefined }): void {
  const problems: Record<string, unknown>[] = [];
  for (const [field, schema, value] of [['title', postTitleSchema, content.title], ['body', postBodySchema, content.body]] as const) {
    if (value === undefined) continue;
    const parsed = schema.safeParse(value);
    if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => ({ path: field, code: issue.code, message: issue.message })));
  }
  if (problems.length > 0) throw new ValidationError('the post is invalid', { code: 'invalid_post', details: problems });
}
