import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import type { AuthAnswer } from '../api/types.js';
import { BASE, Link, navigate } from '../router.js';

/**
 * `/console/oidc/<provider>/callback`: register this page as a provider's
 * redirect URI (OIDC_<NAME>_REDIRECT_URI) and it hands the provider's query
 * to the API's callback, which answers the tokens as JSON (never in a URL).
 */
export function OidcCallbackPage(props: { path: string }): JSX.Element {
  const [error, setError] = useState<string | undefined>();
  const provider = /^\/oidc\/([a-z][a-z0-9_]{0,31})\/callback$/.exec(props.path)?.[1];

  useEffect(() => {
    if (!provider) return setError('This is not a sign-in provider callback address.');
    api
      .request<AuthAnswer & { returnTo: string | null }>('GET', `/auth/oidc/${provider}/callback${location.search}`, { anonymous: true })
      .then((answer) => {
        api.adopt(answer);
        const next = answer.returnTo?.startsWith(`${BASE}/`) ? answer.returnTo.slice(BASE.length) : '/feed';
        navigate(next, { replace: true });
      })
      .catch((failure) => setError(describeError(failure)));
  }, [provider]);

  return (
    <main id="main" class="sign-in">
      <h1>Signing in</h1>
      {error ? (
        <>
          <p class="error" role="alert">
            {error}
          </p>
          <p>
            <Link to="/sign-in">Back to sign in</Link>
          </p>
        </>
      ) : (
        <p role="status">Completing the sign-in…</p>
      )}
    </main>
  );
}
