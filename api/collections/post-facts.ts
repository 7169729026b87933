import type { Knex } from 'knex';
import type { CommandHandler } from '../../commands/command-handler.js';
import { postAggregate } from '../../commands/post-aggregate.js';
import type { PostFacts } from '../../domain/collection/commands.js';
import { readsPostDirectly } from '../../domain/post/access.js';
import { postStream } from '../../domain/post/streams.js';
import type { Caller } from '../../domain/shared/caller.js';
import { readableCollectionHolds } from '../../projections/collections/collection-queries.js';

/**
 * The post as the caller may see it, for AddPost: null when there is no such
 * post (never created, or deleted). Read from its stream, the truth a read
 * model may lag behind: readable when public, to its author and its tenant's
 * admins, and to whoever may read a collection holding it.
 */
export async function postFacts(deps: { commands: CommandHandler; knex: Knex }, caller: Caller, postId: string): Promise<PostFacts | null> {
  // Through the command handler's load: upcasting included (a v1 PostCreated reads as v2).
  const { state } = await deps.commands.load(postAggregate, postStream(postId));
  if (state.status !== 'Active') return null;
  const readable = readsPostDirectly(state, caller) || (await readableCollectionHolds(deps.knex, caller, postId));
  return { tenantId: state.tenantId, readable };
}
