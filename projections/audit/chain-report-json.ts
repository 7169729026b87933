import type { ChainMismatch, ChainReport, MismatchKind } from './verify-chain.js';

export interface ChainMismatchJson {
  kind: MismatchKind;
  position: string;
  eventId: string;
  stream: string;
  revision: string;
  sealedAt?: string;
  message: string;
}

export interface ChainReportJson {
  ok: boolean;
  checked: number;
  through: string | null;
  sealedThrough: string | null;
  firstMismatch: ChainMismatchJson | null;
  digest?: { position: string; hash: string; matches: boolean };
  message: string;
}

/** The report as the API and `chronicle audit verify --json` give it: positions as strings, and a sentence. */
export function chainReportJson(report: ChainReport): ChainReportJson {
  const { mismatch, digest } = report;
  return {
    ok: report.ok,
    checked: report.checked,
    through: report.through === undefined ? null : String(report.through),
    sealedThrough: report.sealedThrough === undefined ? null : String(report.sealedThrough),
    firstMismatch: mismatch ? mismatchJson(mismatch) : null,
    ...(digest ? { digest: { position: String(digest.position), hash: digest.hash, matches: digest.matches } } : {}),
    message: reportMessage(report),
  };
}

function mismatchJson(mismatch: ChainMismatch): ChainMismatchJson {
  return {
    kind: mismatch.kind,
    position: String(mismatch.position),
    eventId: mismatch.eventId,
    stream: mismatch.stream,
    revision: String(mismatch.revision),
    ...(mismatch.sealedAt === undefined ? {} : { sealedAt: String(mismatch.sealedAt) }),
    message: mismatchMessage(mismatch),
  };
}

export function mismatchMessage(mismatch: ChainMismatch): string {
  const event = `event ${mismatch.eventId} (${mismatch.stream} revision ${String(mismatch.revision)})`;
  switch (mismatch.kind) {
    case 'changed':
      return `${event} at position ${String(mismatch.position)} is not what was sealed there`;
    case 'missing':
      return `${event}, sealed at position ${String(mismatch.position)}, is missing from the log`;
    case 'inserted':
      return `${event} at position ${String(mismatch.position)} was never sealed: inserted behind the application's back`;
    case 'reordered':
      return `${event} is at position ${String(mismatch.position)} but was sealed at ${String(mismatch.sealedAt)}: the log was reordered`;
    default: {
      const _exhaustive: never = mismatch.kind;
      return _exhaustive;
    }
  }
}

function reportMessage(report: ChainReport): string {
  const through = report.through === undefined ? 'nothing sealed yet' : `${report.checked} events through position ${String(report.through)}`;
  if (report.mismatch) return `tampered: ${mismatchMessage(report.mismatch)}`;
  if (report.digest && !report.digest.matches) {
    return `tampered: the log up to position ${String(report.digest.position)} does not hash to the digest's hash: history before it was rewritten together with the seal`;
  }
  return report.digest ? `unchanged since the digest: ${through}` : `intact: ${through}`;
}
