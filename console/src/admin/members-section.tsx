import type { JSX } from 'preact';
import { api } from '../api/client.js';
import type { AuthAnswer, Member, Role } from '../api/types.js';
import { ErrorLine } from '../components/error-line.js';
import { useAdminList } from './use-admin-list.js';

const TENANT_ROLES: readonly Role[] = ['admin', 'member'];

/** The tenant's members: roles granted and revoked, accounts disabled and enabled, sessions ended. */
export function MembersSection(props: { session: AuthAnswer }): JSX.Element {
  const members = useAdminList<Member>('/api/users?limit=100');
  const grantable = (member: Member) => TENANT_ROLES.filter((role) => !member.roles.includes(role));
  const userPath = (member: Member) => `/api/users/${encodeURIComponent(member.id)}`;

  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Members and roles</h2>
      <ErrorLine error={members.error ?? members.writeError} />
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Members table">
        <table>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Roles</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(members.data?.items ?? []).map((member) => (
              <tr key={member.id}>
                <th scope="row">
                  {member.displayName || member.email}
                  <div class="muted">
                    {member.email}
                    {member.id === props.session.user.id ? ' (you)' : ''}
                  </div>
                </th>
                <td>
                  <ul class="chips">
                    {member.roles.map((role) => (
                      <li key={role}>
                        {role}{' '}
                        {role !== 'operator' && (
                          <button type="button" class="link" aria-label={`Revoke ${role} from ${member.email}`} onClick={() => void members.write(() => api.delete(`${userPath(member)}/roles/${role}`))}>
                            ×
                          </button>
                        )}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>{member.disabled ? <span class="badge bad">disabled</span> : <span class="badge ok">active</span>}</td>
                <td>
                  <div class="actions">
                    {grantable(member).map((role) => (
                      <button key={role} type="button" class="secondary" aria-label={`Make ${role}: ${member.email}`} onClick={() => void members.write(() => api.post(`${userPath(member)}/roles`, { role }))}>
                        Make {role}
                      </button>
                    ))}
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => void members.write(() => api.post(`${userPath(member)}/${member.disabled ? 'enable' : 'disable'}`))}
                      aria-label={`${member.disabled ? 'Enable' : 'Disable'} ${member.email}`}
                    >
                      {member.disabled ? 'Enable' : 'Disable'}
                    </button>
                    <button type="button" class="secondary" onClick={() => void members.write(() => api.delete(`${userPath(member)}/sessions`))} aria-label={`End sessions of ${member.email}`}>
                      End sessions
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
