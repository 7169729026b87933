import type { ReplayProgress } from '../../projections/index.js';

/** One line: `[#######.......]  52.3%  523,104/1,000,000  98,214 ev/s  ETA 5s`. */
export function renderProgress(progress: ReplayProgress, width = 30): string {
  const percent = progress.percent ?? 0;
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const counts = progress.total === null ? count(progress.processed) : `${count(progress.processed)}/${count(progress.total)}`;
  const rate = `${Math.round(progress.eventsPerSecond).toLocaleString('en-US')} ev/s`;
  const eta = progress.etaSeconds === null ? 'ETA --' : `ETA ${duration(progress.etaSeconds)}`;
  const percentText = progress.percent === null ? '   --%' : `${percent.toFixed(1).padStart(5)}%`;
  return `${bar} ${percentText}  ${counts}  ${rate}  ${eta}  ${progress.state}`;
}

function count(text: string): string {
  return BigInt(text).toLocaleString('en-US');
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3_600)}h${String(Math.floor((seconds % 3_600) / 60)).padStart(2, '0')}m`;
}

/** One line for a known number of steps: `[#######.......]  52.3%  42/80`. */
export function renderSteps(done: number, total: number, width = 30): string {
  const fraction = total === 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
}
