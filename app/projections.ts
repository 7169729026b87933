import type { AnyProjection } from '../projections/index.js';
import { streamSummaryProjection } from '../projections/index.js';
import { tenantDirectoryProjection } from '../projections/identity/tenant-directory.js';
import { postsReadModel } from '../projections/posts/posts-read-model.js';

/**
 * Every projection of the installation. A feature adds its read models here;
 * the worker builds them and the API reads them by their plain table names.
 */
export function allProjections(): AnyProjection[] {
  return [streamSummaryProjection(), tenantDirectoryProjection(), postsReadModel()];
}
