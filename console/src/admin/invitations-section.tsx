import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { Invitation } from '../api/types.js';
import { AdminTableSection, RowAction } from './admin-table-section.js';
import { ShownOnce } from './shown-once.js';
import { useAdminList } from './use-admin-list.js';

export function InvitationsSection(): JSX.Element {
  const invitations = useAdminList<Invitation>('/api/invitations?limit=50');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'member' | 'admin'>('member');
  const [token, setToken] = useState<string | undefined>();

  const invite = (event: Event) => {
    event.preventDefault();
    void invitations.write(async () => {
      const issued = await api.post<{ token: string; position: string | null }>('/api/invitations', { email, role });
      setToken(issued.token);
      setEmail('');
      return issued;
    });
  };

  return (
    <AdminTableSection
      id="invitations"
      title="Invitations"
      tableLabel="Invitations table"
      list={invitations}
      columns={['Email', 'Role', 'Status', 'Expires', 'Actions']}
      keyOf={(invitation) => invitation.invitationId}
      cells={(invitation) => (
        <>
          <th scope="row">{invitation.email}</th>
          <td>{invitation.role}</td>
          <td>{invitation.status}</td>
          <td>{invitation.expiresAt}</td>
          <td>
            {invitation.status === 'pending' && (
              <RowAction
                label={`Revoke the invitation of ${invitation.email}`}
                onClick={() => void invitations.write(() => api.delete(`/api/invitations/${encodeURIComponent(invitation.invitationId)}`))}
              >
                Revoke
              </RowAction>
            )}
          </td>
        </>
      )}
    >
      <form class="filters" onSubmit={invite}>
        <div class="field">
          <label for="invite-email">Email to invite</label>
          <input id="invite-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value === 'admin' ? 'admin' : 'member')}>
            <option value="member">member</option>
            <option value="admin">admin</option>
          </select>
        </div>
        <button type="submit">Invite</button>
      </form>
      {token && <ShownOnce label="Invitation token" value={token} onDone={() => setToken(undefined)} />}
    </AdminTableSection>
  );
}
