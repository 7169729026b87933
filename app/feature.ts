import type { Server } from 'node:http';
import type { Authenticator } from '../api/authentication.js';
import type { Idempotency } from '../api/idempotency/idempotency.js';
import type { ReadYourWrites } from '../api/read-your-writes.js';
import type { RouteModule } from '../api/route-module.js';
import type { AnyAggregate } from '../commands/aggregate.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { Runtime } from '../commands/runtime.js';
import type { Upcaster } from '../domain/shared/upcasting.js';
import type { BackgroundService } from '../infra/process/background-service.js';
import type { Migration } from '../infra/postgres/migrations.js';
import type { AnyProjection } from '../projections/index.js';
import type { Services } from './services.js';

/**
 * A feature (identity, content, feed, ...) is one object: what it adds to
 * the schema, the log and the read side, and what it runs in each kind of
 * process. The composition root (app/features.ts) lists features, one line
 * each; nothing else in app/ names one. Its code stays in the layer folders
 * (`domain/post/`, `projections/posts/`, `api/posts/`); the object lives in
 * `api/<feature>/index.ts`, the one layer that may import all the others.
 */
export interface Feature {
  /** Unique: `identity`, `content`, ... */
  readonly name: string;
  /** Applied by every process at start, with the platform's own (names sort across all features). */
  readonly migrations?: readonly Migration[];
  /** The kinds of stream it writes, for the composition's checks (unique names, schema versions its upcasters reach). */
  readonly aggregates?: readonly AnyAggregate[];
  /** How its older event versions read today: applied wherever events are read. */
  readonly upcasters?: readonly Upcaster[];
  /** Its read models: built by the workers, read by the API by their table names. */
  readonly projections?: readonly AnyProjection[];
  /** In processes serving the API (`api`, `start`): its routes, built once the read side is up. */
  api?(context: FeatureApiContext): FeatureApi | Promise<FeatureApi>;
  /** In processes running background work (`worker`, `start`): reactions, sweeps. */
  background?(context: FeatureContext): readonly BackgroundService[];
}

/** What every feature is handed: built once per process, shared by all features. */
export interface FeatureContext {
  /** Configuration, logger, knex, event store, metrics, the database URL, every projection. */
  readonly services: Services;
  /** The one command handler of the process: snapshots and upcasting included. */
  readonly commands: CommandHandler;
  /** Where ids and time come from (tests pass their own clock). */
  readonly runtime: Runtime;
}

export interface FeatureApiContext extends FeatureContext {
  /** For query routes: honours X-Min-Position for the read models they read. */
  readonly readYourWrites: ReadYourWrites;
  /** For POST routes that honour Idempotency-Key (defineRoute's `idempotency`): one per process, over the idempotency_keys table. */
  readonly idempotency: Idempotency;
  /**
   * The installation's authenticator (the one feature's that provides it), for
   * routes that take a credential the authentication middleware leaves to
   * them, such as the write key of the Segment-compatible ingest (HTTP Basic).
   * Usable once every feature's API is built; absent when built by hand (tests).
   */
  readonly authenticator?: Authenticator;
}

export interface FeatureApi {
  readonly routes: readonly RouteModule[];
  /** Who is calling, for every feature's routes: exactly one feature (identity) provides it. */
  readonly authenticator?: Authenticator;
  /** Called at shutdown, after HTTP has drained (e.g. mail still being sent goes out first). */
  close?(): Promise<void>;
  /**
   * Once HTTP listens: connections that are not requests (WebSocket
   * upgrades on the server's `upgrade` event), with the process's
   * authenticator. The attachment is stopped at shutdown before HTTP drains,
   * since long-lived connections would hold the drain to its end.
   */
  attach?(server: Server, shared: AttachContext): FeatureAttachment | Promise<FeatureAttachment>;
}

export interface AttachContext {
  /** Who is calling, as for routes (absent when no feature authenticates). */
  readonly authenticator?: Authenticator;
}

export interface FeatureAttachment {
  /** First in shutdown: close what was attached (e.g. every socket, with a going-away code). */
  detach(): Promise<void>;
}
