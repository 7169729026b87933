/** What the chaos run's child processes tell the conductor, over their IPC channel. */
export type ChildMessage =
  | { kind: 'ready' }
  /** Event ids whose appends were acknowledged since the last message. */
  | { kind: 'acknowledged'; ids: string[] }
  /** Errors met, by class name; a retry follows each. */
  | { kind: 'errors'; byName: Record<string, number> }
  /** A subscriber's progress: how many events, the last position (decimal). */
  | { kind: 'progress'; count: number; position: string | null }
  /** A subscriber's whole sequence of event ids, and any order fault it saw. */
  | { kind: 'seen'; ids: string[]; outOfOrder: number };

export type ConductorMessage = { kind: 'stop' } | { kind: 'report' };

export function send(message: ChildMessage): void {
  process.send?.(message);
}
