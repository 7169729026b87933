/** Numbers and durations as a person reads them. */
export function formatNumber(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const number = typeof value === 'string' ? Number(value) : value;
  return Number.isFinite(number) ? number.toLocaleString('en', { maximumFractionDigits: 1 }) : String(value);
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
