import type { CollectionAccessFacts } from '../../domain/collection/access.js';
import type { CollectionRole } from '../../domain/collection/events.js';
import type { PostAccessFacts } from '../../domain/post/access.js';
import type { Visibility } from '../../domain/shared/caller.js';
import type { Role } from '../../domain/user/roles.js';

/*
 * The few facts per thing that reading rights are decided on, and nothing
 * else (no titles, bodies, names, emails). Objects are changed in place so a
 * post's holder set can point at its collections directly. Deleted things
 * stay as tombstones with their last facts: the deletion itself, and a
 * catch-up that replays their earlier events, are decided on them (whoever
 * could read the thing sees it go), while a deleted collection no longer
 * makes its posts readable.
 */

export class PostFacts implements PostAccessFacts {
  deleted = false;
  /** The collections holding the post: most posts are in none or one, and a Set costs about 150 bytes. */
  private holders: CollectionFacts | Set<CollectionFacts> | undefined;

  constructor(
    readonly tenantId: string,
    readonly authorId: string,
    public visibility: Visibility,
  ) {}

  addHolder(collection: CollectionFacts): void {
    if (this.holders === undefined || this.holders === collection) this.holders = collection;
    else if (this.holders instanceof Set) this.holders.add(collection);
    else this.holders = new Set([this.holders, collection]);
  }

  removeHolder(collection: CollectionFacts): void {
    if (this.holders === collection) this.holders = undefined;
    else if (this.holders instanceof Set) {
      this.holders.delete(collection);
      if (this.holders.size === 1) this.holders = this.holders.values().next().value;
    }
  }

  /** Whether some live (not deleted) collection holding the post passes the test. */
  someLiveHolder(test: (collection: CollectionFacts) => boolean): boolean {
    if (this.holders === undefined) return false;
    if (this.holders instanceof CollectionFacts) return !this.holders.deleted && test(this.holders);
    for (const collection of this.holders) if (!collection.deleted && test(collection)) return true;
    return false;
  }
}

export class CollectionFacts implements CollectionAccessFacts {
  deleted = false;
  /** Editors and viewers (not the owner), created with the first one. */
  private members: Map<string, CollectionRole> | undefined;

  constructor(
    readonly tenantId: string,
    readonly ownerId: string,
    public visibility: Visibility,
  ) {}

  roleOf(userId: string): CollectionRole | undefined {
    return this.members?.get(userId);
  }

  setMember(userId: string, role: CollectionRole): void {
    (this.members ??= new Map()).set(userId, role);
  }

  removeMember(userId: string): void {
    this.members?.delete(userId);
    if (this.members?.size === 0) this.members = undefined;
  }
}

export interface UserFacts {
  readonly tenantId: string;
  /** Replaced, never changed in place: a caller of user() may keep the array it got. */
  roles: readonly Role[];
  disabled: boolean;
}

export interface ApiKeyFacts {
  readonly tenantId: string;
  readonly issuedBy: string;
  revoked: boolean;
}

/**
 * One string per distinct tenant or user id, however many events carried it:
 * ten thousand posts of one tenant then hold one tenant id, not ten thousand.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();

  intern(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }
}

/** The literals, not the parsed strings: one copy each for the whole model. */
export function visibilityOf(value: Visibility): Visibility {
  return value === 'public' ? 'public' : 'private';
}
