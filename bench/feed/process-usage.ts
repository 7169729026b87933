import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time another process has used so far (user + system), ms, at the kernel's tick resolution (10 ms here). */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on: utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident memory of another process, bytes, as the kernel counts it (VmRSS of /proc/<pid>/status; Linux only). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * The resident memory once it has settled: sampled every `everyMs` until two
 * samples in a row differ by less than 1%, or `maxMs` has passed; the last
 * sample. Garbage collection moves it, so one sample right after a change may mislead.
 */
export async function settledResidentBytes(pid: number, everyMs = 1_000, maxMs = 15_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  let previous = await residentBytes(pid);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    const current = await residentBytes(pid);
    if (Math.abs(current - previous) < previous / 100) return current;
    previous = current;
  }
  return previous;
}
