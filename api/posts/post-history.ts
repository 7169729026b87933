import { postAggregate } from '../../commands/post-aggregate.js';
import type { CommandHandler } from '../../commands/command-handler.js';
import type { StreamHistory } from '../../commands/stream-history.js';
import type { AsOf } from '../../domain/audit/as-of.js';
import { mayChangePost, postNotFound, postStream, type ActivePost, type PostEvent, type PostState } from '../../domain/post/index.js';
import { isOfTenant, type Caller } from '../../domain/shared/caller.js';
import type { PostReads } from '../../projections/posts/post-queries.js';
import type { Page, PageRequest } from '../../projections/keyset-page.js';
import { historyPage } from '../time-travel/history-page.js';
import type { HistoryEntry } from '../time-travel/history-schemas.js';
import { stateAt, type StateAt, type TimeTravelRules } from '../time-travel/state-at.js';
import { mayReadPost } from './post-read-rule.js';

export interface PostHistoryDeps {
  commands: CommandHandler;
  reads: PostReads;
}

const rules: TimeTravelRules<PostState> = { resource: 'post', isDeleted: (state) => state.status === 'Deleted' };

/**
 * A post's history and past states are shown to whoever may read the post
 * now (README, Posts); once it is deleted, to its author and the admins of
 * its tenant. Anyone else gets 404 `post_not_found`, whether it exists or not.
 */
async function readableHistory(deps: PostHistoryDeps, caller: Caller, postId: string): Promise<StreamHistory<PostState, PostEvent>> {
  const history = await deps.commands.history(postAggregate, postStream(postId));
  const now = history.current;
  const readable =
    now.status === 'Deleted'
      ? mayChangePost(now, caller)
      : now.status === 'Active' && (await mayReadPost(deps.reads, caller, now));
  if (!readable) throw postNotFound();
  return history;
}

export async function postHistoryPage(deps: PostHistoryDeps, caller: Caller, postId: string, page: PageRequest): Promise<Page<HistoryEntry>> {
  const history = await readableHistory(deps, caller, postId);
  const tenantId = history.current.status === 'Empty' ? undefined : history.current.tenantId;
  return historyPage(history, page, { showActor: tenantId !== undefined && isOfTenant(caller, tenantId), showChange: () => true });
}

/** The post as it was: 404 before it existed, 410 `post_deleted` once deleted (stateAt). */
export async function postAsOf(deps: PostHistoryDeps, caller: Caller, postId: string, asOf: AsOf): Promise<StateAt<ActivePost>> {
  const found = stateAt(await readableHistory(deps, caller, postId), asOf, rules);
  // stateAt answers only states that are neither empty nor deleted.
  if (found.state.status !== 'Active') throw postNotFound();
  return { ...found, state: found.state };
}
