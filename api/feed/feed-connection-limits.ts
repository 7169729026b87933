import type { FeedReader } from './feed-rights-model.js';

export interface ConnectionLimitSettings {
  /** FEED_MAX_CONNECTIONS_PER_USER: per user or API key. */
  perUser: number;
  /** FEED_MAX_CONNECTIONS_PER_IP: per client address, guests included. */
  perAddress: number;
}

/** Gives the place back; calling it again does nothing. */
export type ReleasePlace = () => void;

/**
 * Open feed connections (sockets and SSE streams together) per user or API
 * key and per client address. A connection takes a place when it is
 * admitted and gives it back when it ends.
 */
export class ConnectionLimits {
  private readonly byPrincipal = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly settings: ConnectionLimitSettings) {}

  /** A place for one more connection of this reader from this address, or undefined when either limit is reached. */
  admit(reader: FeedReader, address: string): ReleasePlace | undefined {
    const principal = principalKey(reader);
    if ((this.byAddress.get(address) ?? 0) >= this.settings.perAddress) return undefined;
    if (principal !== undefined && (this.byPrincipal.get(principal) ?? 0) >= this.settings.perUser) return undefined;
    increment(this.byAddress, address);
    if (principal !== undefined) increment(this.byPrincipal, principal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.byAddress, address);
      if (principal !== undefined) decrement(this.byPrincipal, principal);
    };
  }
}

function principalKey(reader: FeedReader): string | undefined {
  switch (reader.kind) {
    case 'user':
      return `user:${reader.userId}`;
    case 'apiKey':
      return `key:${reader.keyId}`;
    case 'guest':
      return undefined;
    default: {
      const _exhaustive: never = reader;
      return _exhaustive;
    }
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left === 0) counts.delete(key);
  else counts.set(key, left);
}
