import { describe, expect, it } from '@jest/globals';
import type { Feature } from '../../app/feature.js';
import { checkedUpcasters, InvalidFeaturesError } from '../../app/feature-checks.js';
import { features, withFeature } from '../../app/features.js';
import { allMigrations } from '../../app/migrations.js';
import { projectionsOf } from '../../app/projections.js';
import type { AnyAggregate } from '../../commands/aggregate.js';
import type { Upcaster } from '../../domain/shared/upcasting.js';

const widgetV1: Upcaster = { type: 'WidgetMade', fromVersion: 1, upcast: (data) => ({ ...data, size: 'm' }) };
const widgetAt = (version: number): AnyAggregate => ({ name: 'widget', schemaVersions: { WidgetMade: version } });
const feature = (name: string, parts: Partial<Feature> = {}): Feature => ({ name, ...parts });

describe('the composition of features', () => {
  it('installs identity with its migrations and read model beside the platform’s', () => {
    expect(features.map((f) => f.name)).toContain('identity');
    const names = allMigrations.map((migration) => migration.name);
    expect(names).toEqual(expect.arrayContaining(['0001_event_store', '0100_projections', '0200_auth', '0300_aggregate_snapshots']));
    expect(projectionsOf(features).map((projection) => projection.name)).toEqual(expect.arrayContaining(['stream_summary', 'tenant_directory']));
  });

  it('accepts upcasters that reach the version their aggregate declares', () => {
    const upcasters = checkedUpcasters([feature('widgets', { aggregates: [widgetAt(2)], upcasters: [widgetV1] })]);
    expect(upcasters.currentVersion('WidgetMade')).toBe(2);
  });

  it('refuses upcasters no aggregate declares, a declared version they do not reach, and two of a name', () => {
    expect(() => checkedUpcasters([feature('widgets', { aggregates: [widgetAt(1)], upcasters: [widgetV1] })])).toThrow(InvalidFeaturesError);
    expect(() => checkedUpcasters([feature('widgets', { aggregates: [widgetAt(2)] })])).toThrow(/reach version 1/);
    expect(() => checkedUpcasters([feature('widgets'), feature('widgets')])).toThrow(/two features/);
    expect(() => checkedUpcasters([feature('a', { aggregates: [widgetAt(1)] }), feature('b', { aggregates: [widgetAt(1)] })])).toThrow(/two aggregates/);
  });

  it('replaces a feature by name, or adds it', () => {
    const replaced = withFeature(features, feature('identity'));
    expect(replaced).toHaveLength(features.length);
    expect(replaced.find((f) => f.name === 'identity')?.api).toBeUndefined();
    expect(withFeature(features, feature('extra')).map((f) => f.name).at(-1)).toBe('extra');
  });
});
