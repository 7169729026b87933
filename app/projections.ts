import type { AnyProjection } from '../projections/index.js';
import { streamSummaryProjection } from '../projections/index.js';
import type { Feature } from './feature.js';

/**
 * The platform's read model (a summary of every stream, for operators) and
 * the features'. The worker builds them; the API reads them by their plain table names.
 */
export function projectionsOf(installed: readonly Feature[]): AnyProjection[] {
  return [streamSummaryProjection(), ...installed.flatMap((feature) => feature.projections ?? [])];
}
