import { readdir, readFile } from 'node:fs/promises';
import { cpuMs } from '../feed/process-usage.js';

/**
 * CPU time used so far by the Chromium processes this process started (the
 * browser, its renderers, its GPU and utility processes), ms. Unlike the
 * page's own timings, it does not grow when the machine is busy with other
 * work: it is what the page costs, not how long it waited for a core.
 */
export async function browserCpuMs(): Promise<number> {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    const pid = Number(entry);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    names.set(pid, stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  let total = 0;
  const queue = [process.pid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    for (const child of children.get(pid) ?? []) {
      queue.push(child);
      if (names.get(child)?.startsWith('chrom')) total += await cpuMs(child).catch(() => 0);
    }
  }
  return total;
}
