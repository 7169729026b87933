import { analyticsFeature } from '../api/analytics/index.js';
import { auditFeature } from '../api/audit/index.js';
import { contentFeature } from '../api/content/index.js';
import { feedFeature } from '../api/feed/index.js';
import { identityFeature } from '../api/identity/index.js';
import type { Feature } from './feature.js';

/** Every feature of the installation, one line each: their migrations, read models, routes and background work follow. */
export const features: readonly Feature[] = [
  identityFeature(),
  contentFeature(),
  feedFeature(),
  auditFeature(),
  analyticsFeature(),
];

/** The list with `feature` in place of the one of the same name (tests: identity with a cheap password hash), or added at the end. */
export function withFeature(list: readonly Feature[], feature: Feature): Feature[] {
  return list.some((other) => other.name === feature.name) ? list.map((other) => (other.name === feature.name ? feature : other)) : [...list, feature];
}
