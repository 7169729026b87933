import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { ApiKey } from '../api/types.js';
import { AdminTableSection, RowAction } from './admin-table-section.js';
import { ShownOnce } from './shown-once.js';
import { useAdminList } from './use-admin-list.js';

export function ApiKeysSection(): JSX.Element {
  const keys = useAdminList<ApiKey>('/api/api-keys');
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<string | undefined>();

  const issue = (event: Event) => {
    event.preventDefault();
    void keys.write(async () => {
      const answer = await api.post<{ key: string }>('/api/api-keys', { name });
      setIssued(answer.key);
      setName('');
    });
  };

  return (
    <AdminTableSection
      id="keys"
      title="API keys"
      tableLabel="API keys table"
      list={keys}
      columns={['Name', 'Starts with', 'Per minute', 'Created', 'Actions']}
      keyOf={(key) => key.id}
      cells={(key) => (
        <>
          <th scope="row">{key.name}</th>
          <td>
            <code>{key.displayPrefix}…</code>
          </td>
          <td>{key.rateLimitPerMinute.toLocaleString('en')}</td>
          <td>{key.createdAt}</td>
          <td>
            {key.revokedAt ? (
              <span class="muted">revoked {key.revokedAt}</span>
            ) : (
              <RowAction label={`Revoke the key ${key.name}`} onClick={() => void keys.write(() => api.delete(`/api/api-keys/${encodeURIComponent(key.id)}`))}>
                Revoke
              </RowAction>
            )}
          </td>
        </>
      )}
    >
      <form class="filters" onSubmit={issue}>
        <div class="field">
          <label for="key-name">Name of the new key</label>
          <input id="key-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <button type="submit">Issue key</button>
      </form>
      {issued && <ShownOnce label="API key" value={issued} onDone={() => setIssued(undefined)} />}
    </AdminTableSection>
  );
}
