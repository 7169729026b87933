/** Reads one sample of GET /metrics: the value of `name` with exactly these labels (0 when absent). */
export async function scrapeSample(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await fetch(new URL('/metrics', baseUrl));
  return sampleOf(await response.text(), name, labels);
}

/** The value of `name{labels}` in a Prometheus text exposition (0 when absent). */
export function sampleOf(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]\w*=")/)
      .filter((pair) => pair !== '')
      .sort()
      .join(',');
    if (found === wanted) return Number(match[3]);
  }
  return 0;
}
