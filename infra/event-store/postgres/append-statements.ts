import { APPEND_LOCK } from './schema.js';
import { LEAF_BYTES } from './append-leaves.js';

/** One append, ready for the database: payloads serialised, the expectation as text. */
export interface PreparedAppend {
  stream: string;
  ids: string[];
  types: string[];
  data: string[];
  metadata: string[];
  /** UTF-16 code units in data and metadata together. */
  payloadLength: number;
  /** `any`, `no_stream`, `exists`, or `revision` with `expectedRevision`. */
  expectation: string;
  expectedRevision: string | null;
  /** Each event's seal leaf, 32 bytes an event in order (appendLeaves), or null to store none. */
  leaves: Buffer | null;
}

/** What became of one append: its stream's revision before it, and what it inserted (nulls: nothing). */
export interface AppendOutcome {
  current_revision: string;
  last_revision: string | null;
  tx_id: string | null;
  last_idx: number | null;
}

/**
 * The leaf of the event numbered `ordinal` (from 1) in the parameter
 * `leaves`, all the statement's leaves in one binary parameter: a bytea[]
 * would travel as text, each leaf escaped, and be parsed back.
 */
function leafAt(leaves: string, ordinal: string): string {
  return `substring(${leaves}::bytea FROM (${ordinal} * ${LEAF_BYTES} - ${LEAF_BYTES - 1})::int FOR ${LEAF_BYTES})`;
}

const ACCEPTED = `CASE $EXPECTATION WHEN 'any' THEN true WHEN 'no_stream' THEN REV = -1
                   WHEN 'exists' THEN REV >= 0 ELSE REV = $EXPECTED END`;

/**
 * One append in one round trip: take the appenders' shared lock (before the
 * transaction gets its id, see horizon.ts), find the stream's revision, and
 * insert only if it is the expected one. Event ids are checked by their unique
 * index, not looked up here: a plan cached while the table was empty would
 * scan it, and a duplicate is the rare case, handled apart.
 */
export const APPEND_ONE_SQL = `
WITH lock AS MATERIALIZED (
  SELECT pg_advisory_xact_lock_shared(${APPEND_LOCK.classId}, ${APPEND_LOCK.objId})
), current AS (
  SELECT COALESCE((SELECT stream_revision FROM events WHERE stream_id = $1 ORDER BY stream_revision DESC LIMIT 1), -1) AS revision
), inserted AS (
  INSERT INTO events (stream_id, stream_revision, idx, event_id, event_type, data, metadata, seal_leaf)
  SELECT $1, current.revision + e.ord, e.ord - 1, e.id, e.type, e.data, e.metadata, ${leafAt('$8', 'e.ord')}
    FROM current, lock,
         ROWS FROM (unnest($2::uuid[]), unnest($3::text[]), json_array_elements($4::json), json_array_elements($5::json))
           WITH ORDINALITY AS e(id, type, data, metadata, ord)
   WHERE ${ACCEPTED.replace('$EXPECTATION', '$6::text').replace(/REV/g, 'current.revision').replace('$EXPECTED', '$7::bigint')}
  RETURNING stream_revision, tx_id, idx
)
SELECT (SELECT revision FROM current)::text AS current_revision,
       (SELECT max(stream_revision) FROM inserted)::text AS last_revision,
       (SELECT max(tx_id) FROM inserted)::text AS tx_id,
       (SELECT max(idx) FROM inserted) AS last_idx`;

export function appendOneParams(append: PreparedAppend): unknown[] {
  return [append.stream, append.ids, append.types, jsonArray(append.data), jsonArray(append.metadata), append.expectation, append.expectedRevision, append.leaves];
}

/**
 * Payloads travel as one JSON array each, not as json[]: an array literal
 * would escape every quote in every payload on the way out and PostgreSQL
 * unescape it on the way in; a JSON array of JSON texts is just their join.
 */
function jsonArray(texts: readonly string[]): string {
  return `[${texts.join(',')}]`;
}

/**
 * Several appends to distinct streams in one statement and one transaction:
 * each is checked against its own expectation and inserted or not on its own.
 * Events are numbered across the whole statement, so positions stay unique.
 */
export const APPEND_MANY_SQL = `
WITH lock AS MATERIALIZED (
  SELECT pg_advisory_xact_lock_shared(${APPEND_LOCK.classId}, ${APPEND_LOCK.objId})
), appends AS (
  SELECT a.ord AS grp, a.stream, a.expectation, a.expected,
         COALESCE((SELECT stream_revision FROM events WHERE stream_id = a.stream ORDER BY stream_revision DESC LIMIT 1), -1) AS revision
    FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS a(stream, expectation, expected, ord)
), accepted AS (
  SELECT * FROM appends WHERE ${ACCEPTED.replace('$EXPECTATION', 'expectation').replace(/REV/g, 'revision').replace('$EXPECTED', 'expected')}
), inserted AS (
  INSERT INTO events (stream_id, stream_revision, idx, event_id, event_type, data, metadata, seal_leaf)
  SELECT accepted.stream, accepted.revision + e.n, e.ord - 1, e.id, e.type, e.data, e.metadata, ${leafAt('$10', 'e.ord')}
    FROM lock
    CROSS JOIN ROWS FROM (unnest($4::int[]), unnest($5::int[]), unnest($6::uuid[]), unnest($7::text[]),
                          json_array_elements($8::json), json_array_elements($9::json))
               WITH ORDINALITY AS e(grp, n, id, type, data, metadata, ord)
    JOIN accepted ON accepted.grp = e.grp
  RETURNING stream_id, stream_revision, tx_id, idx
)
SELECT a.grp, a.revision::text AS current_revision, max(i.stream_revision)::text AS last_revision,
       max(i.tx_id)::text AS tx_id, max(i.idx) AS last_idx
  FROM appends a LEFT JOIN inserted i ON i.stream_id = a.stream
 GROUP BY a.grp, a.revision
 ORDER BY a.grp`;

export function appendManyParams(appends: readonly PreparedAppend[]): unknown[] {
  const groups: number[] = [];
  const numbers: number[] = [];
  const ids: string[] = [];
  const types: string[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  appends.forEach((append, index) => {
    for (let i = 0; i < append.ids.length; i++) {
      groups.push(index + 1);
      numbers.push(i + 1);
      ids.push(append.ids[i]!);
      types.push(append.types[i]!);
      data.push(append.data[i]!);
      metadata.push(append.metadata[i]!);
    }
  });
  return [
    appends.map((append) => append.stream),
    appends.map((append) => append.expectation),
    appends.map((append) => append.expectedRevision),
    groups,
    numbers,
    ids,
    types,
    jsonArray(data),
    jsonArray(metadata),
    // One store stores leaves for all its appends or for none; were some missing, none would be sent rather than misplaced.
    appends.every((append) => append.leaves !== null) ? Buffer.concat(appends.map((append) => append.leaves!)) : null,
  ];
}
