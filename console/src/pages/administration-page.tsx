import type { JSX } from 'preact';
import type { AuthAnswer } from '../api/types.js';

export function AdministrationPage(_props: { session: AuthAnswer }): JSX.Element {
  return (
    <section aria-labelledby="admin-heading">
      <h1 id="admin-heading">Administration</h1>
    </section>
  );
}
