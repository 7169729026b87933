import type { JSX } from 'preact';
import type { AuthAnswer } from '../api/types.js';
import { AuditSearch } from '../audit/audit-search.js';
import { PostTimeTravel } from '../audit/post-time-travel.js';
import { TamperStatus } from '../audit/tamper-status.js';
import { hasRole } from '../session.js';

/** Streams and audit: who did what and why, a post at any point in time, and (operators) tamper evidence. */
export function AuditPage(props: { session: AuthAnswer }): JSX.Element {
  return (
    <section aria-labelledby="audit-heading">
      <h1 id="audit-heading">Streams and audit</h1>
      <AuditSearch />
      <PostTimeTravel />
      {hasRole(props.session, 'operator') && <TamperStatus />}
    </section>
  );
}
