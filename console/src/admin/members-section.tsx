import type { JSX } from 'preact';
import { api } from '../api/client.js';
import type { AuthAnswer, Member, Role } from '../api/types.js';
import { AdminTableSection, RowAction } from './admin-table-section.js';
import { useAdminList } from './use-admin-list.js';

const TENANT_ROLES: readonly Role[] = ['admin', 'member'];

/** The tenant's members: roles granted and revoked, accounts disabled and enabled, sessions ended. */
export function MembersSection(props: { session: AuthAnswer }): JSX.Element {
  const members = useAdminList<Member>('/api/users?limit=100');
  const grantable = (member: Member) => TENANT_ROLES.filter((role) => !member.roles.includes(role));
  const userPath = (member: Member) => `/api/users/${encodeURIComponent(member.id)}`;

  return (
    <AdminTableSection
      id="members"
      title="Members and roles"
      tableLabel="Members table"
      list={members}
      columns={['Member', 'Roles', 'State', 'Actions']}
      keyOf={(member) => member.id}
      cells={(member) => (
        <>
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
                <RowAction key={role} label={`Make ${role}: ${member.email}`} onClick={() => void members.write(() => api.post(`${userPath(member)}/roles`, { role }))}>
                  Make {role}
                </RowAction>
              ))}
              <RowAction
                label={`${member.disabled ? 'Enable' : 'Disable'} ${member.email}`}
                onClick={() => void members.write(() => api.post(`${userPath(member)}/${member.disabled ? 'enable' : 'disable'}`))}
              >
                {member.disabled ? 'Enable' : 'Disable'}
              </RowAction>
              <RowAction label={`End sessions of ${member.email}`} onClick={() => void members.write(() => api.delete(`${userPath(member)}/sessions`))}>
                End sessions
              </RowAction>
            </div>
          </td>
        </>
      )}
    />
  );
}
