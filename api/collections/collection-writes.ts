import type { Knex } from 'knex';
import type { RequestInfo } from '../../auth/identity/request-info.js';
import { commandContext } from '../../commands/metadata.js';
import type { Principal } from '../../auth/principal.js';
import { callerOf, requireUserCaller } from '../content/caller.js';
import { collectionAggregate } from '../../commands/collection-aggregate.js';
import type { CommandHandler, CommandResult } from '../../commands/command-handler.js';
import type { Runtime } from '../../commands/runtime.js';
import type { CollectionCommand, UserFacts } from '../../domain/collection/commands.js';
import type { CollectionEvent } from '../../domain/collection/events.js';
import type { CollectionState } from '../../domain/collection/state.js';
import { collectionStream } from '../../domain/collection/streams.js';
import { collectionAccess, collectionNotFound } from '../../domain/collection/access.js';
import { accessFacts } from '../../domain/collection/decider.js';
import { PreconditionFailedError } from '../../domain/shared/errors.js';
import type { Caller } from '../../domain/shared/caller.js';
import { userStream } from '../../domain/user/streams.js';
import type { EventStore } from '../../infra/event-store/event-store.js';
import { postFacts } from './post-facts.js';

export interface CollectionWritesDeps {
  commands: CommandHandler;
  runtime: Runtime;
  eventStore: EventStore;
  knex: Knex;
}

export type CollectionResult = CommandResult<CollectionState, CollectionEvent>;

/** A collection command from an HTTP request: who asks, on which stream, at which revision (If-Match). */
export interface CollectionRequest {
  principal: Principal;
  collectionId: string;
  ifMatch: bigint | undefined;
  request: RequestInfo;
}

/** Builds and runs the collection commands of the routes; the decider decides who may. */
export class CollectionWrites {
  constructor(private readonly deps: CollectionWritesDeps) {}

  create(principal: Principal, data: { name: string; visibility: 'private' | 'public' }, request: RequestInfo): Promise<CollectionResult> {
    const by = requireUserCaller(principal);
    const collectionId = this.deps.runtime.newId();
    return this.run({ principal, collectionId, ifMatch: undefined, request }, { type: 'CreateCollection', by, data: { collectionId, ...data } });
  }

  update(target: CollectionRequest, data: { name?: string; visibility?: 'private' | 'public' }): Promise<CollectionResult> {
    return this.run(target, { type: 'UpdateCollection', by: callerOf(target.principal), data });
  }

  delete(target: CollectionRequest): Promise<CollectionResult> {
    return this.run(target, { type: 'DeleteCollection', by: callerOf(target.principal), data: {} });
  }

  async addPost(target: CollectionRequest, postId: string): Promise<CollectionResult> {
    const by = callerOf(target.principal);
    const post = await postFacts(this.deps, by, postId);
    return this.run(target, { type: 'AddPost', by, data: { postId, post } });
  }

  removePost(target: CollectionRequest, postId: string): Promise<CollectionResult> {
    return this.run(target, { type: 'RemovePost', by: callerOf(target.principal), data: { postId } });
  }

  movePost(target: CollectionRequest, postId: string, index: number): Promise<CollectionResult> {
    return this.run(target, { type: 'MovePost', by: callerOf(target.principal), data: { postId, index } });
  }

  async addMember(target: CollectionRequest, userId: string, role: 'editor' | 'viewer'): Promise<CollectionResult> {
    const user = await this.userFacts(userId);
    return this.run(target, { type: 'AddMember', by: callerOf(target.principal), data: { userId, role, user } });
  }

  removeMember(target: CollectionRequest, userId: string): Promise<CollectionResult> {
    return this.run(target, { type: 'RemoveMember', by: callerOf(target.principal), data: { userId } });
  }

  private async run(target: CollectionRequest, command: CollectionCommand): Promise<CollectionResult> {
    const caller = callerOf(target.principal);
    const context = commandContext(this.deps.runtime, target.request, actorOf(target.principal), tenantOf(caller, target.principal));
    const stream = collectionStream(target.collectionId);
    try {
      return await this.deps.commands.handle(collectionAggregate, stream, command, {
        context,
        ...(target.ifMatch === undefined ? {} : { ifMatch: target.ifMatch }),
      });
    } catch (error) {
      // A stale If-Match is checked before the decider: to whoever may not read the collection it must not tell that it exists.
      if (error instanceof PreconditionFailedError && !(await this.mayRead(stream, caller))) throw collectionNotFound();
      throw error;
    }
  }

  private async mayRead(stream: string, caller: Caller): Promise<boolean> {
    const { state } = await this.deps.commands.load(collectionAggregate, stream);
    return state.status === 'Active' && collectionAccess(accessFacts(state), caller) !== 'none';
  }

  /** The user's tenant, from the first event of their stream (UserSignedUp); null when there is no such user. */
  private async userFacts(userId: string): Promise<UserFacts | null> {
    const [signedUp] = await this.deps.eventStore.readStream(userStream(userId), { maxCount: 1 });
    if (signedUp?.type !== 'UserSignedUp' || typeof signedUp.data.tenantId !== 'string') return null;
    return { tenantId: signedUp.data.tenantId };
  }
}

function actorOf(principal: Principal): { type: 'user' | 'apiKey'; id: string } {
  return principal.kind === 'user' ? { type: 'user', id: principal.userId } : { type: 'apiKey', id: principal.keyId };
}

function tenantOf(caller: Caller, principal: Principal): string {
  return caller.type === 'user' ? caller.tenantId : principal.tenantId;
}
