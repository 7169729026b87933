#!/usr/bin/env node
// The npm registry reachable here serves only some platforms' builds of a few
// native packages (@swc/core's, unrs-resolver's), so `npm install` leaves the
// other platforms' optional dependencies out of package-lock.json, and
// `npm ci` then refuses the lock file as out of sync. This adds the missing
// optional entries with the os/cpu they are for: npm ci skips them on every
// other platform without fetching them, as it would with a complete lock file.
// Run after `npm install` changes the lock file: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const OS = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony'];
const CPU = { x64: 'x64', arm64: 'arm64', arm: 'arm', ia32: 'ia32', ppc64: 'ppc64', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };

// Keys in the order npm writes them, so that a later `npm install` leaves the
// file as it is (a clone must stay clean after the README's first command).
function platformEntry(version, cpu, os, dev) {
  return { version, cpu: [cpu], ...(dev ? { dev: true } : {}), optional: true, os: [os] };
}

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  // An entry this script wrote has no `resolved` or `integrity` (nothing was fetched); rewrite it in npm's order.
  if (entry.optional && entry.cpu && entry.os && !entry.integrity && !entry.resolved) {
    lock.packages[path] = platformEntry(entry.version, entry.cpu[0], entry.os[0], entry.dev);
  }
}
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const target = `node_modules/${name}`;
    if (lock.packages[target] || lock.packages[`${path}/${target}`]) continue;
    const parts = name.split('/').pop().split('-');
    const os = parts.find((part) => OS.includes(part));
    const cpu = parts.map((part) => CPU[part]).find(Boolean);
    if (!os || !cpu || !/^\d+\.\d+\.\d+/.test(version)) throw new Error(`cannot tell the platform of ${name}@${version}`);
    lock.packages[target] = platformEntry(version, cpu, os, entry.dev);
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} optional platform entries`);
