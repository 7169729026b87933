import type { JSX } from 'preact';
import { Link } from '../router.js';

export function NotFoundPage(): JSX.Element {
  return (
    <section>
      <h1>Not here</h1>
      <p>
        This page does not exist, or your roles do not open it. Go to the <Link to="/feed">live feed</Link>.
      </p>
    </section>
  );
}
