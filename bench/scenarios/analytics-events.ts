/** The analytics bench's events, shared by the HTTP load and the raw-append reference so both carry the same payloads. */
export const ANALYTICS_LOAD = { eventsPerRequest: 100, concurrency: 8 } as const;
export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** Request `i`'s events: mostly track calls of 20 names, some pages and identifies, over 10,000 users. */
export function batch(i: number): unknown[] {
  const now = new Date().toISOString();
  return Array.from({ length: ANALYTICS_LOAD.eventsPerRequest }, (_, k) => {
    const n = i * ANALYTICS_LOAD.eventsPerRequest + k;
    const common = { messageId: `bench-${i}-${k}`, userId: `user-${n % 10_000}`, timestamp: now, context: { library: { name: 'bench', version: '1' } } };
    if (n % 50 === 0) return { ...common, type: 'identify', traits: { plan: n % 3 === 0 ? 'pro' : 'free', seats: n % 40 } };
    if (n % 10 === 0) return { ...common, type: 'page', name: 'Docs', properties: { path: '/docs/getting-started', title: 'Getting started' } };
    return { ...common, type: 'track', event: `Event ${n % 20}`, properties: { plan: 'pro', price: n % 100, currency: 'EUR', item: `sku-${n % 500}` } };
  });
}
