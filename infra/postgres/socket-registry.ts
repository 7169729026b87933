import { Socket } from 'node:net';

/**
 * The sockets of a group of PostgreSQL connections, given to pg as its
 * `stream` factory. Ending a connection waits for the server to close its end
 * too, which a silent network (a partition) never lets happen: `closeWithin`
 * ends them gracefully, and destroys whatever sockets are left once the grace
 * period is over, so that closing never hangs.
 */
export class SocketRegistry {
  private readonly sockets = new Set<Socket>();

  readonly socket = (): Socket => {
    const socket = new Socket();
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  };

  async closeWithin(graceMs: number, close: () => Promise<unknown>): Promise<void> {
    const closing = close();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    try {
      if ((await Promise.race([closing.then(() => 'closed' as const), graceOver])) === 'late') {
        for (const socket of this.sockets) socket.destroy();
        await closing;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
