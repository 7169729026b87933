import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import type { AuditDigest, ChainReport } from '../api/types.js';
import { ErrorLine } from '../components/error-line.js';

/** Operators: the whole log checked against its hash chain (GET /api/admin/audit/verify) and the latest signed digest. */
export function TamperStatus(): JSX.Element {
  const [report, setReport] = useState<ChainReport | undefined>();
  const [digest, setDigest] = useState<AuditDigest | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const verify = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const [nextReport, nextDigest] = await Promise.all([api.get<ChainReport>('/api/admin/audit/verify'), api.get<AuditDigest>('/api/admin/audit/digest')]);
      setReport(nextReport);
      setDigest(nextDigest);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="tamper-heading">
      <h2 id="tamper-heading">Tamper evidence</h2>
      <button type="button" onClick={() => void verify()} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify the log'}
      </button>
      <ErrorLine error={error} />
      {report && (
        <div role="status" class={report.ok ? 'verified ok' : 'verified bad'}>
          <p>
            <span class={`badge ${report.ok ? 'ok' : 'bad'}`}>{report.ok ? 'Verified' : 'Verification failed'}</span> {report.message} ({report.checked.toLocaleString('en')} events checked
            {report.through ? ` through position ${report.through}` : ''})
          </p>
          {report.firstMismatch && (
            <p class="error">
              First mismatch: {report.firstMismatch.kind} event <code>{report.firstMismatch.eventId}</code> in <code>{report.firstMismatch.stream}</code> #{report.firstMismatch.revision} at position{' '}
              {report.firstMismatch.position}: {report.firstMismatch.message}
            </p>
          )}
        </div>
      )}
      {digest && (
        <div role="group" aria-label="Latest signed digest">
        <dl class="facts digest">
          <dt>Digest through</dt>
          <dd>position {digest.position}</dd>
          <dt>Hash</dt>
          <dd>
            <code>{digest.hash}</code>
          </dd>
          <dt>Signed</dt>
          <dd>
            {digest.signedAt} with key <code>{digest.keyId}</code>
          </dd>
        </dl>
        </div>
      )}
    </section>
  );
}
