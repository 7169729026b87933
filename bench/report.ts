import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';

export interface ScenarioResult {
  scenario: string;
  unit: string;
  /** Subject name → figure. */
  figures: Record<string, number>;
  /** Which subject is ours, and which peers the ratios are taken against. */
  ours: string;
  peers: string[];
  target?: { description: string; met: boolean };
  notes?: string;
}

export function ratio(result: ScenarioResult, peer: string): number | undefined {
  const ours = result.figures[result.ours];
  const theirs = result.figures[peer];
  return ours !== undefined && theirs ? ours / theirs : undefined;
}

export function printTable(results: readonly ScenarioResult[]): void {
  const rows = results.map((result) => [
    result.scenario,
    Object.entries(result.figures)
      .map(([subject, figure]) => `${subject} ${format(figure)}`)
      .join(' | '),
    result.peers.map((peer) => `×${(ratio(result, peer) ?? NaN).toFixed(2)} vs ${peer}`).join(', '),
    result.target ? `${result.target.met ? 'met' : 'MISSED'}: ${result.target.description}` : '',
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}

export async function writeResults(results: readonly ScenarioResult[], extra: Record<string, unknown>): Promise<string> {
  const directory = path.resolve('bench/results');
  await mkdir(directory, { recursive: true });
  const file = path.join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const document = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    ...extra,
    results: results.map((result) => ({
      ...result,
      ratios: Object.fromEntries(result.peers.map((peer) => [peer, ratio(result, peer)])),
    })),
  };
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

function format(figure: number): string {
  return figure >= 100 ? Math.round(figure).toLocaleString('en-US') : figure.toFixed(2);
}
