import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const documents = ['README.md', 'docs/ARCHITECTURE.md', 'docs/CONTRACT.md'];

/** Relative paths a document points at: markdown link targets and `code spans` that look like paths to .md files. */
function referencedPaths(text: string): string[] {
  const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((match) => match[1]!);
  const spans = [...text.matchAll(/`([^`\s]+\.md)`/g)].map((match) => match[1]!);
  return [...links, ...spans].filter((target) => !/^[a-z]+:/i.test(target));
}

describe('documents a clone has', () => {
  it.each(documents)('%s exists and points only at files inside the repository', (document) => {
    const file = path.join(root, document);
    expect(existsSync(file)).toBe(true);
    for (const target of referencedPaths(readFileSync(file, 'utf8'))) {
      const resolved = path.resolve(path.dirname(file), target);
      expect({ target, insideRepository: resolved.startsWith(`${root}${path.sep}`) }).toEqual({ target, insideRepository: true });
      expect({ target, exists: existsSync(resolved) }).toEqual({ target, exists: true });
    }
  });
});
