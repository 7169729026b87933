import { schemaVersionOf } from '../commands/aggregate.js';
import { Upcasters } from '../domain/shared/upcasting.js';
import type { Feature } from './feature.js';

export class InvalidFeaturesError extends Error {
  override readonly name = 'InvalidFeaturesError';
}

/**
 * The installation's upcasters, after the checks a wrong list would otherwise
 * only show on some later read: feature and aggregate names are unique, and
 * every event type with upcasters is declared by an aggregate at the version
 * they reach (else the handler would write one version and read another).
 */
export function checkedUpcasters(installed: readonly Feature[]): Upcasters {
  unique('feature', installed.map((feature) => feature.name));
  const aggregates = installed.flatMap((feature) => feature.aggregates ?? []);
  unique('aggregate', aggregates.map((aggregate) => aggregate.name));
  const upcasters = new Upcasters(installed.flatMap((feature) => feature.upcasters ?? []));
  for (const [type, current] of upcasters.currentVersions()) {
    if (!aggregates.some((aggregate) => schemaVersionOf(aggregate, type) === current)) {
      throw new InvalidFeaturesError(`${type}: the upcasters reach version ${current}, but no aggregate declares schemaVersions { ${type}: ${current} }`);
    }
  }
  for (const aggregate of aggregates) {
    for (const [type, declared] of Object.entries(aggregate.schemaVersions)) {
      if (upcasters.currentVersion(type) !== declared) {
        throw new InvalidFeaturesError(`aggregate ${aggregate.name} declares ${type} at version ${declared}, but the upcasters reach version ${upcasters.currentVersion(type)}`);
      }
    }
  }
  return upcasters;
}

function unique(kind: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new InvalidFeaturesError(`two ${kind}s are named ${name}`);
    seen.add(name);
  }
}
