import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { api } from './api/client.js';
import type { AuthAnswer } from './api/types.js';
import { AdministrationPage } from './pages/administration-page.js';
import { AnalyticsPage } from './pages/analytics-page.js';
import { AuditPage } from './pages/audit-page.js';
import { FeedPage } from './pages/feed-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { OidcCallbackPage } from './pages/oidc-callback-page.js';
import { ProjectionsPage } from './pages/projections-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { Link, navigate, usePath } from './router.js';
import { hasRole, useSession } from './session.js';

interface Section {
  path: string;
  label: string;
  visible(session: AuthAnswer): boolean;
  render(session: AuthAnswer): JSX.Element;
}

/** The console's pages, in the order of the navigation; each shown to the roles its API serves. */
const sections: readonly Section[] = [
  { path: '/feed', label: 'Live feed', visible: () => true, render: () => <FeedPage /> },
  { path: '/audit', label: 'Streams and audit', visible: () => true, render: (session) => <AuditPage session={session} /> },
  { path: '/projections', label: 'Projections', visible: (session) => hasRole(session, 'operator'), render: () => <ProjectionsPage /> },
  { path: '/analytics', label: 'Analytics', visible: (session) => hasRole(session, 'admin'), render: () => <AnalyticsPage /> },
  { path: '/admin', label: 'Administration', visible: (session) => hasRole(session, 'admin'), render: (session) => <AdministrationPage session={session} /> },
];

export function App(): JSX.Element {
  const path = usePath();
  const { session, signedOutReason } = useSession();

  useEffect(() => {
    if (!session && path !== '/sign-in' && !path.startsWith('/oidc/')) navigate(`/sign-in`, { replace: true });
    if (session && (path === '/' || path === '/sign-in')) navigate('/feed', { replace: true });
  }, [session, path]);

  useEffect(() => {
    const section = sections.find((candidate) => candidate.path === path);
    document.title = `${section?.label ?? (path === '/sign-in' ? 'Sign in' : 'Chronicle')} · Chronicle console`;
  }, [path]);

  if (path.startsWith('/oidc/')) return <OidcCallbackPage path={path} />;
  if (!session) return <SignInPage reason={signedOutReason} />;

  const visible = sections.filter((section) => section.visible(session));
  const section = visible.find((candidate) => candidate.path === path);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Chronicle console</span>
        <nav aria-label="Sections">
          <ul>
            {visible.map((item) => (
              <li key={item.path}>
                <Link to={item.path} current={item.path === path}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who" role="group" aria-label="Signed in as">
          <span class="who-name">{session.user.displayName || session.user.email}</span>
          <span class="who-detail">
            {session.user.email} · tenant <code>{session.user.tenantId}</code> · {session.user.roles.join(', ')}
          </span>
          <button type="button" onClick={() => void api.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {section ? section.render(session) : <NotFoundPage />}
      </main>
    </>
  );
}
