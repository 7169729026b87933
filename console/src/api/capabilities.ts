import { api } from './client.js';

let documented: Promise<ReadonlySet<string>> | undefined;

/**
 * Whether this server offers an operation, from its /openapi.json (read
 * once per page load): a page asks before it calls an API a newer server
 * adds (the analytics anomalies), instead of provoking a 404 each time.
 */
export async function serverOffers(path: string): Promise<boolean> {
  documented ??= api
    .request<{ paths?: Record<string, unknown> }>('GET', '/openapi.json', { anonymous: true })
    .then((document) => new Set(Object.keys(document.paths ?? {})) as ReadonlySet<string>)
    .catch(() => new Set<string>());
  return (await documented).has(path);
}
