import type { JSX } from 'preact';
import { api } from '../api/client.js';
import type { SessionView } from '../api/types.js';
import { ErrorLine } from '../components/error-line.js';
import { useAdminList } from './use-admin-list.js';

/** The signed-in person's own sessions (GET /auth/sessions); ending the current one signs out here. */
export function SessionsSection(): JSX.Element {
  const sessions = useAdminList<SessionView>('/auth/sessions');
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Your sessions</h2>
      <ErrorLine error={sessions.error ?? sessions.writeError} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Sessions table">
        <table>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Last used</th>
              <th scope="col">From</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(sessions.data?.items ?? []).map((session) => (
              <tr key={session.id}>
                <th scope="row">
                  {session.createdAt}
                  {session.current ? ' (this one)' : ''}
                </th>
                <td>{session.lastUsedAt}</td>
                <td>
                  {session.ip ?? '–'} <span class="muted">{session.userAgent ?? ''}</span>
                </td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`End the session started ${session.createdAt}`}
                    onClick={() => void sessions.write(() => api.delete(`/auth/sessions/${encodeURIComponent(session.id)}`))}
                  >
                    End
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
