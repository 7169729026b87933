import { readFileSync } from 'node:fs';
import path from 'node:path';

/** What a module graph reached: the repository's files (relative paths) and the packages (their names). */
export interface StaticGraph {
  files: Set<string>;
  packages: Set<string>;
}

// `import x from '...'`, `import { a, type B } from '...'`, `export { a } from '...'`, `import '...'`; not `import type` nor `export type`, which load nothing.
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/**
 * The modules `entry` loads before any of its code runs: static imports
 * followed through the repository's TypeScript; `import()` inside a function is not followed.
 */
export function staticImportGraph(root: string, entry: string): StaticGraph {
  const graph: StaticGraph = { files: new Set(), packages: new Set() };
  const visit = (file: string) => {
    if (graph.files.has(file)) return;
    graph.files.add(file);
    const source = readFileSync(path.join(root, file), 'utf8');
    for (const [, specifier] of source.matchAll(STATIC_IMPORT)) {
      if (specifier === undefined) continue;
      if (specifier.startsWith('.')) visit(path.relative(root, path.resolve(root, path.dirname(file), specifier.replace(/\.js$/, '.ts'))));
      else if (!specifier.startsWith('node:')) graph.packages.add(packageName(specifier));
    }
  };
  visit(entry);
  return graph;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}
