import type { JSX } from 'preact';
import { api } from '../api/client.js';
import type { ProjectionStatus } from '../api/types.js';
import { usePolling } from '../components/use-polling.js';
import { ProjectionRow } from '../projections/projection-row.js';

/** Operators: every projection (GET /api/admin/projections), refreshed every two seconds. */
export function ProjectionsPage(): JSX.Element {
  const projections = usePolling(() => api.get<ProjectionStatus[]>('/api/admin/projections'), 2_000);
  return (
    <section aria-labelledby="projections-heading">
      <h1 id="projections-heading">Projections</h1>
      <p class="muted">Read models built from the log. A replay rebuilds one from the start beside the live one and swaps it in when caught up.</p>
      {projections.error && (
        <p class="error" role="alert">
          {projections.error}
        </p>
      )}
      {!projections.data ? (
        <p role="status">Loading…</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Projections table">
          <table>
            <thead>
              <tr>
                <th scope="col">Projection</th>
                <th scope="col">Status</th>
                <th scope="col">Checkpoint</th>
                <th scope="col">Head</th>
                <th scope="col">Lag</th>
                <th scope="col">Events/s</th>
                <th scope="col">Last error</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {projections.data.map((projection) => (
                <ProjectionRow key={projection.name} projection={projection} onChanged={projections.reload} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
