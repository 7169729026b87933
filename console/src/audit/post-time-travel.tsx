import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import type { FieldChange, HistoryEntry, Page } from '../api/types.js';
import { ErrorLine } from '../components/error-line.js';
import { valueText } from './value-text.js';

type PostState = Record<string, unknown>;

/** The fields that differ between two states of the post, as the history's changes name them. */
function diff(before: PostState, after: PostState): FieldChange[] {
  const ignored = new Set(['revision', 'position', 'updatedAt']);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !ignored.has(key));
  return keys
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => ({ path: `/${key}`, before: before[key], after: after[key] }));
}

function ChangeTable(props: { changes: readonly FieldChange[]; label: string }): JSX.Element {
  if (props.changes.length === 0) return <p class="muted">No field differs.</p>;
  return (
    <table aria-label={props.label}>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {props.changes.map((change) => (
          <tr key={change.path}>
            <th scope="row">
              <code>{change.path}</code>
            </th>
            <td class="before">{valueText(change.before)}</td>
            <td class="after">{valueText(change.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A post as it was (GET /api/posts/:id?asOf=<revision | time>), its history
 * with what each event changed, and the difference between two revisions.
 */
export function PostTimeTravel(): JSX.Element {
  const [postId, setPostId] = useState('');
  const [asOf, setAsOf] = useState('');
  const [state, setState] = useState<PostState | undefined>();
  const [history, setHistory] = useState<HistoryEntry[] | undefined>();
  const [compare, setCompare] = useState({ from: '', to: '' });
  const [changes, setChanges] = useState<FieldChange[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const postPath = () => `/api/posts/${encodeURIComponent(postId.trim())}`;

  const attempt = async (action: () => Promise<void>) => {
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const look = (event: Event) => {
    event.preventDefault();
    void attempt(async () => {
      setChanges(undefined);
      const query = asOf.trim() ? `?asOf=${encodeURIComponent(asOf.trim())}` : '';
      const [past, page] = await Promise.all([api.get<PostState>(`${postPath()}${query}`), api.get<Page<HistoryEntry>>(`${postPath()}/history?limit=100`)]);
      setState(past);
      setHistory(page.items);
    });
  };

  const compareRevisions = (event: Event) => {
    event.preventDefault();
    void attempt(async () => {
      const [before, after] = await Promise.all([api.get<PostState>(`${postPath()}?asOf=${compare.from}`), api.get<PostState>(`${postPath()}?asOf=${compare.to}`)]);
      setChanges(diff(before, after));
    });
  };

  return (
    <section aria-labelledby="time-travel-heading">
      <h2 id="time-travel-heading">A post at any point in time</h2>
      <form class="filters" onSubmit={look} aria-label="Post as of">
        <div class="field">
          <label for="travel-post">Post id</label>
          <input id="travel-post" required value={postId} onInput={(e) => setPostId(e.currentTarget.value)} size={38} />
        </div>
        <div class="field">
          <label for="travel-as-of">As of (revision or ISO time; empty for now)</label>
          <input id="travel-as-of" value={asOf} placeholder="0 or 2026-12-01T10:00:00Z" onInput={(e) => setAsOf(e.currentTarget.value)} />
        </div>
        <button type="submit">Show</button>
      </form>
      <ErrorLine error={error} />
      {state && (
        <section class="detail" aria-labelledby="as-of-heading">
          <h3 id="as-of-heading">
            The post {asOf.trim() ? `as of ${asOf.trim()}` : 'now'} (revision {valueText(state.revision)})
          </h3>
          <dl class="facts">
            <dt>Title</dt>
            <dd data-testid="as-of-title">{valueText(state.title)}</dd>
            <dt>Body</dt>
            <dd>{valueText(state.body)}</dd>
            <dt>Visibility</dt>
            <dd>{valueText(state.visibility)}</dd>
          </dl>
        </section>
      )}
      {history && (
        <>
          <h3>History</h3>
          <ol class="history">
            {history.map((entry) => (
              <li key={entry.eventId}>
                <strong>
                  #{entry.revision} {entry.type}
                </strong>{' '}
                <span class="muted">
                  {entry.occurredAt} by {entry.actor ? `${entry.actor.type}:${entry.actor.id}` : 'someone'}
                  {entry.reason ? ` (${entry.reason})` : ''}
                </span>
                <ChangeTable changes={entry.changes} label={`Changes of revision ${entry.revision}`} />
              </li>
            ))}
          </ol>
          <form class="filters" onSubmit={compareRevisions} aria-label="Compare two revisions">
            <div class="field">
              <label for="compare-from">Revision</label>
              <input id="compare-from" required inputMode="numeric" pattern="\d+" value={compare.from} onInput={(e) => setCompare({ ...compare, from: e.currentTarget.value })} />
            </div>
            <div class="field">
              <label for="compare-to">against revision</label>
              <input id="compare-to" required inputMode="numeric" pattern="\d+" value={compare.to} onInput={(e) => setCompare({ ...compare, to: e.currentTarget.value })} />
            </div>
            <button type="submit">Compare</button>
          </form>
          {changes && <ChangeTable changes={changes} label="Difference between the two revisions" />}
        </>
      )}
    </section>
  );
}
