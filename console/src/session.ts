import { useEffect, useState } from 'preact/hooks';
import { api } from './api/client.js';
import type { SignedOutError } from './api/errors.js';
import type { AuthAnswer, Role } from './api/types.js';

export interface SessionState {
  session: AuthAnswer | undefined;
  /** Why the person was signed out, when the server ended the session rather than they. */
  signedOutReason: string | undefined;
}

/** The signed-in session as component state, following sign-in, refresh and sign-out. */
export function useSession(): SessionState {
  const [state, setState] = useState<SessionState>({ session: api.current, signedOutReason: undefined });
  useEffect(
    () =>
      api.onChange((session: AuthAnswer | undefined, reason?: SignedOutError) =>
        setState((previous) => ({ session, signedOutReason: session ? undefined : (reason?.message ?? (previous.session ? undefined : previous.signedOutReason)) })),
      ),
    [],
  );
  return state;
}

export function hasRole(session: AuthAnswer | undefined, role: Role): boolean {
  return session?.user.roles.includes(role) ?? false;
}
