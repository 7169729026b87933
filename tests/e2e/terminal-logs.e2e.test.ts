import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/free-port.js';

const BIN = fileURLToPath(new URL('../../bin/chronicle.js', import.meta.url));
// util-linux's `script` runs a command on a pseudo-terminal: stdout is then a TTY, as in a shell.
const SCRIPT = '/usr/bin/script';

/** Runs chronicle on a terminal and returns what the terminal showed, without colours. */
function onTerminal(args: string[], env: Record<string, string>): Promise<{ code: number | null; shown: string }> {
  const command = [process.execPath, BIN, ...args].join(' ');
  const child = spawn(SCRIPT, ['-qefc', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm', DATABASE_URL: '', EVENTSTORE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let shown = '';
  child.stdout.on('data', (chunk: Buffer) => (shown += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (shown += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, shown: shown.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '') })));
}

describe('logs on a terminal', () => {
  (existsSync(SCRIPT) ? it : it.skip)('are lines for a person, not JSON', async () => {
    const deadPort = await freePort();
    const { code, shown } = await onTerminal(['api'], { LOG_LEVEL: 'info', DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${deadPort}/app` });
    expect(code).toBe(1);
    const lines = shown.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] FATAL.*start-up failed/)]));
    expect(lines.filter((line) => line.trimStart().startsWith('{"'))).toEqual([]);
    expect(shown).not.toContain('hunter2');
  }, 30_000);
});
