#!/usr/bin/env node
// The package's `prepare` script (npm install / npm ci run it): builds the console (console/ → console/dist),
// served by the application at /console. An install without dev dependencies (npm ci --omit=dev) has no Vite:
// it says so on one line and goes on; /console then answers 404 with a page naming `npm run build:console`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}console/index.html`)) process.exit(0);

let viteBin;
try {
  viteBin = join(dirname(createRequire(`${root}package.json`).resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  console.log('console not built: Vite is not installed (an install without dev dependencies); run `npm install` then `npm run build:console`');
  process.exit(0);
}
const result = spawnSync(process.execPath, [viteBin, 'build', '--config', 'console/vite.config.mjs'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('console build failed (npm run build:console)');
  process.exit(result.status ?? 1);
}
console.log('console built: console/dist, served at /console');
