import { readFileSync } from 'node:fs';

let version: string | undefined;

/** package.json's version, read once. */
export function appVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}
