import type { JSX } from 'preact';
import { api } from '../api/client.js';
import type { SessionView } from '../api/types.js';
import { AdminTableSection, RowAction } from './admin-table-section.js';
import { useAdminList } from './use-admin-list.js';

/** The signed-in person's own sessions (GET /auth/sessions); ending the current one signs out here. */
export function SessionsSection(): JSX.Element {
  const sessions = useAdminList<SessionView>('/auth/sessions');
  return (
    <AdminTableSection
      id="sessions"
      title="Your sessions"
      tableLabel="Sessions table"
      list={sessions}
      columns={['Started', 'Last used', 'From', 'Actions']}
      keyOf={(session) => session.id}
      cells={(session) => (
        <>
          <th scope="row">
            {session.createdAt}
            {session.current ? ' (this one)' : ''}
          </th>
          <td>{session.lastUsedAt}</td>
          <td>
            {session.ip ?? '–'} <span class="muted">{session.userAgent ?? ''}</span>
          </td>
          <td>
            <RowAction label={`End the session started ${session.createdAt}`} onClick={() => void sessions.write(() => api.delete(`/auth/sessions/${encodeURIComponent(session.id)}`))}>
              End
            </RowAction>
          </td>
        </>
      )}
    />
  );
}
