import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { staticImportGraph } from '../support/static-imports.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Modules that only a process serving HTTP needs: route modules, the features' HTTP parts, the HTTP server and the sockets. */
function servingHttp(graph: { files: Set<string>; packages: Set<string> }): string[] {
  const files = [...graph.files].filter((file) => /^api\/.*(-routes?|-http)\.ts$/.test(file) || file.startsWith('infra/http/'));
  const packages = [...graph.packages].filter((name) => ['express', 'ws', 'swagger-ui-express', 'openid-client', 'nodemailer'].includes(name));
  return [...files, ...packages].sort();
}

/**
 * A CLI command loads what it uses: the features' migrations, read models and
 * upcasters, never their routes (each CLI child of the tests loaded the whole
 * application, about 3 s of CPU, before the features' HTTP parts were imported only by api()).
 */
describe('CLI commands', () => {
  it.each(['audit-command', 'audit-verify', 'events-tail', 'migrate', 'projections-command'])('%s loads no route, no HTTP server and no socket', (command) => {
    const graph = staticImportGraph(ROOT, `app/commands/${command}.ts`);
    expect(graph.files.size).toBeGreaterThan(5);
    expect(servingHttp(graph)).toEqual([]);
  });

  it('the server still reaches every route module through the features (the walk sees them)', () => {
    const http = staticImportGraph(ROOT, 'app/processes.ts');
    expect(servingHttp(http)).toEqual(expect.arrayContaining(['api/admin/projections-routes.ts', 'express']));
  });
});
