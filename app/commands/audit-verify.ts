import { readFile } from 'node:fs/promises';
import { verifyAuditDigest, InvalidDigestError } from '../../auth/tokens/audit-digest.js';
import { jwksDocument } from '../../auth/tokens/jwks.js';
import { KeyStore } from '../../auth/tokens/key-store.js';
import { chainReportJson, type ChainReportJson } from '../../projections/audit/chain-report-json.js';
import { verifyChain, type DigestToCheck } from '../../projections/audit/verify-chain.js';
import { connectServices } from '../connect-services.js';
import { renderSteps } from './progress-bar.js';
import { toolContext, writeLine } from './tool-context.js';

export interface AuditVerifyOptions {
  /** A digest as `GET /api/admin/audit/digest` answered it, saved to a file. */
  digestFile?: string;
  json: boolean;
}

/** Where the command writes: its result (stdout) and its progress (stderr, on a terminal). */
export interface CommandOutput {
  line(text: string): Promise<void>;
  progress?(text: string): void;
}

const standardOutput: CommandOutput = {
  line: writeLine,
  ...(process.stderr.isTTY ? { progress: (text: string) => void process.stderr.write(`\r${text}\u001b[K`) } : {}),
};

/**
 * `chronicle audit verify [--digest <file>]`: recomputes the hash chain from
 * the log and compares it with the seal, naming the first event that does
 * not match; with a digest, first checks its signature against the
 * installation's published keys (the JWKS), then that the log up to its
 * position hashes to it. Exit 0 intact, 1 tampered or refused.
 */
export async function auditVerifyCommand(env: NodeJS.ProcessEnv, options: AuditVerifyOptions, output: CommandOutput = standardOutput): Promise<number> {
  const { config, logger, runtime } = toolContext(env);
  try {
    const digestText = options.digestFile === undefined ? undefined : await readDigestFile(options.digestFile);
    const { knex, eventStore } = await connectServices(runtime, config, logger);
    let digest: DigestToCheck | undefined;
    if (digestText !== undefined) digest = await verifyAuditDigest(digestText, await jwksDocument(new KeyStore(knex)));
    const started = performance.now();
    const report = chainReportJson(
      await verifyChain(knex, eventStore, {
        ...(digest ? { digest } : {}),
        ...(output.progress ? { onProgress: (checked, total) => output.progress!(renderSteps(checked, total)) } : {}),
      }),
    );
    output.progress?.('');
    const seconds = (performance.now() - started) / 1000;
    if (options.json) await output.line(JSON.stringify(report));
    else for (const line of table(report, seconds)) await output.line(line);
    return report.ok ? 0 : 1;
  } finally {
    await runtime.stop();
  }
}

async function readDigestFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidDigestError(`cannot read the digest file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidDigestError(`the digest file ${path} is not JSON`);
  }
}

function table(report: ChainReportJson, seconds: number): string[] {
  const rate = seconds > 0 ? Math.round(report.checked / seconds).toLocaleString('en-US') : '-';
  const rows: Array<[string, string]> = [
    ['verdict', report.ok ? 'intact' : 'TAMPERED'],
    ['checked', `${report.checked.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s (${rate} events/s)`],
    ['through', report.through ?? '-'],
    ['sealed through', report.sealedThrough ?? '-'],
  ];
  if (report.digest) rows.push(['digest', `${report.digest.matches ? 'matches' : 'DOES NOT MATCH'} at ${report.digest.position}`]);
  const mismatch = report.firstMismatch;
  if (mismatch) {
    rows.push(['first mismatch', mismatch.kind], ['position', mismatch.position], ['event', mismatch.eventId], ['stream', `${mismatch.stream} revision ${mismatch.revision}`]);
    if (mismatch.sealedAt) rows.push(['sealed at', mismatch.sealedAt]);
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  return [...rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`), report.message];
}
