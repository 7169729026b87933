export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

export interface ShutdownListener {
  /** Resolves on the first SIGINT or SIGTERM. */
  readonly received: Promise<ShutdownSignal>;
  dispose(): void;
}

/**
 * Listens from the moment it is called, so a signal during start-up is not
 * lost. A second Ctrl-C (SIGINT) while shutting down means "now": `onForce`
 * runs. Repeated SIGTERMs are ignored: supervisors such as `timeout` or a
 * container runtime may deliver one to the process and one to its group.
 */
export function listenForShutdown(onForce: (signal: ShutdownSignal) => void): ShutdownListener {
  let first: ShutdownSignal | undefined;
  let resolveReceived: (signal: ShutdownSignal) => void = () => undefined;
  const received = new Promise<ShutdownSignal>((resolve) => (resolveReceived = resolve));
  const handler = (signal: ShutdownSignal) => {
    if (!first) {
      first = signal;
      resolveReceived(signal);
    } else if (signal === 'SIGINT') {
      onForce(signal);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    received,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
