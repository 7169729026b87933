import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { Invitation } from '../api/types.js';
import { ErrorLine } from '../components/error-line.js';
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
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
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
      <ErrorLine error={invitations.error ?? invitations.writeError} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Invitations table">
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(invitations.data?.items ?? []).map((invitation) => (
              <tr key={invitation.invitationId}>
                <th scope="row">{invitation.email}</th>
                <td>{invitation.role}</td>
                <td>{invitation.status}</td>
                <td>{invitation.expiresAt}</td>
                <td>
                  {invitation.status === 'pending' && (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Revoke the invitation of ${invitation.email}`}
                      onClick={() => void invitations.write(() => api.delete(`/api/invitations/${encodeURIComponent(invitation.invitationId)}`))}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
