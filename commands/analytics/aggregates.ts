import type { AnyAggregate } from '../aggregate.js';

/**
 * The analytics streams, for the composition's checks (unique names, schema
 * versions). Neither has a decider: an ingest stream is written once, whole,
 * by ingestEvents (`no_stream`), and an anomaly stream only gains facts with
 * deterministic ids. Every event type is at schema version 1.
 */
export const ingestAggregate: AnyAggregate = { name: 'ingest', schemaVersions: {} };
export const anomalyAggregate: AnyAggregate = { name: 'anomaly', schemaVersions: {} };

export const analyticsAggregates = [ingestAggregate, anomalyAggregate] as const;
