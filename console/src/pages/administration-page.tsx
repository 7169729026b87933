import type { JSX } from 'preact';
import { ApiKeysSection } from '../admin/api-keys-section.js';
import { InvitationsSection } from '../admin/invitations-section.js';
import { MembersSection } from '../admin/members-section.js';
import { SessionsSection } from '../admin/sessions-section.js';
import type { AuthAnswer } from '../api/types.js';

/** Admins: the tenant's members and roles, invitations, API keys, and their own sessions. */
export function AdministrationPage(props: { session: AuthAnswer }): JSX.Element {
  return (
    <section aria-labelledby="admin-heading">
      <h1 id="admin-heading">Administration</h1>
      <MembersSection session={props.session} />
      <InvitationsSection />
      <ApiKeysSection />
      <SessionsSection />
    </section>
  );
}
