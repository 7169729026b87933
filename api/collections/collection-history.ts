import { collectionAggregate } from '../../commands/collection-aggregate.js';
import type { CommandHandler } from '../../commands/command-handler.js';
import type { StreamHistory } from '../../commands/stream-history.js';
import type { AsOf } from '../../domain/audit/as-of.js';
import { collectionAccess, collectionNotFound } from '../../domain/collection/access.js';
import { accessFacts } from '../../domain/collection/decider.js';
import type { CollectionEvent } from '../../domain/collection/events.js';
import type { ActiveCollection, CollectionState } from '../../domain/collection/state.js';
import { collectionStream } from '../../domain/collection/streams.js';
import { isOfTenant, type Caller } from '../../domain/shared/caller.js';
import type { Page, PageRequest } from '../../projections/keyset-page.js';
import { historyPage } from '../time-travel/history-page.js';
import type { HistoryEntry } from '../time-travel/history-schemas.js';
import { stateAt, type StateAt, type TimeTravelRules } from '../time-travel/state-at.js';

const rules: TimeTravelRules<CollectionState> = { resource: 'collection', isDeleted: (state) => state.status === 'Deleted' };

/**
 * A collection's history and past states are shown to whoever may read it
 * now (public: anyone); once it is deleted, to its owner and the admins of its
 * tenant, as it stood before the deletion. Anyone else: 404 `collection_not_found`.
 */
async function readableHistory(commands: CommandHandler, caller: Caller, collectionId: string): Promise<StreamHistory<CollectionState, CollectionEvent>> {
  const history = await commands.history(collectionAggregate, collectionStream(collectionId));
  const now = history.current;
  const readable =
    now.status === 'Active'
      ? collectionAccess(accessFacts(now), caller) !== 'none'
      : now.status === 'Deleted' && ownsDeleted(history, caller);
  if (!readable) throw collectionNotFound();
  return history;
}

/** The deleted state keeps no owner: the one before the deletion says who owned it. */
function ownsDeleted(history: StreamHistory<CollectionState, CollectionEvent>, caller: Caller): boolean {
  const lastActive = history.steps.findLast((step) => step.after.status === 'Active')?.after;
  return lastActive?.status === 'Active' && collectionAccess(accessFacts(lastActive), caller) === 'own';
}

export async function collectionHistoryPage(commands: CommandHandler, caller: Caller, collectionId: string, page: PageRequest): Promise<Page<HistoryEntry>> {
  const history = await readableHistory(commands, caller, collectionId);
  const tenantId = history.current.status === 'Empty' ? undefined : history.current.tenantId;
  const insider = tenantId !== undefined && isOfTenant(caller, tenantId);
  // Members are the tenant's business (as in the collection's own view): hidden from guests and other tenants.
  return historyPage(history, page, { showActor: insider, showChange: (change) => insider || !change.path.startsWith('/members') });
}

/** The collection as it was: its name, visibility, posts and members then. */
export async function collectionAsOf(commands: CommandHandler, caller: Caller, collectionId: string, asOf: AsOf): Promise<StateAt<ActiveCollection>> {
  const found = stateAt(await readableHistory(commands, caller, collectionId), asOf, rules);
  // stateAt answers only states that are neither empty nor deleted.
  if (found.state.status !== 'Active') throw collectionNotFound();
  return { ...found, state: found.state };
}
