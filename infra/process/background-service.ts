/**
 * Long-running work beside (or instead of) the HTTP API: projection runners,
 * schedulers. Started after the infrastructure and stopped before it.
 */
export interface BackgroundService {
  readonly name: string;
  /** Resolves once running; the work itself continues in the background. */
  start(): Promise<void>;
  /** Resolves once the work has stopped and released what it held. */
  stop(): Promise<void>;
}
