import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import type { OidcProvider } from '../api/types.js';

/** Password sign-in, and a link per configured OIDC provider (GET /auth/oidc/providers). */
export function SignInPage(props: { reason: string | undefined }): JSX.Element {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [providers, setProviders] = useState<OidcProvider[]>([]);

  useEffect(() => {
    api
      .request<{ providers: OidcProvider[] }>('GET', '/auth/oidc/providers', { anonymous: true })
      .then((answer) => setProviders(answer.providers))
      .catch(() => setProviders([]));
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.signIn(email, password);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>Sign in to Chronicle</h1>
      {props.reason && (
        <p class="notice" role="status">
          {props.reason}
        </p>
      )}
      <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(event) => setPassword(event.currentTarget.value)} />
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {providers.length > 0 && (
        <section aria-labelledby="providers-heading">
          <h2 id="providers-heading">Or sign in with</h2>
          <ul class="providers">
            {providers.map((provider) => (
              <li key={provider.name}>
                <a class="button" href={`${provider.loginPath}?returnTo=${encodeURIComponent('/console/feed')}`}>
                  {provider.name}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
