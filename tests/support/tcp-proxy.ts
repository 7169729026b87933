import { createServer, connect, type Server, type Socket } from 'node:net';

/** Where in a chunk a stalled connection goes silent: bytes before the offset still pass. */
export type StallPoint = (chunk: Buffer) => number | undefined;

interface Link {
  client: Socket;
  server: Socket;
  /** Gone silent for good: nothing passes either way, and closes are never passed on. */
  stalled: boolean;
  /** A side closed while the network was down: its peer learns of it when the network heals. */
  pendingClose: boolean;
}

/**
 * A TCP proxy on loopback that plays the network between the application and
 * PostgreSQL: forward, blackhole (bytes are dropped and closes not passed on,
 * while every socket stays open, as in a partition), heal, cut (every socket
 * destroyed, as by a reset), and stall one connection at a chosen byte for good.
 */
export class TcpProxy {
  private readonly links = new Set<Link>();
  private down = false;
  private stallPoint: StallPoint | undefined;
  /** Bytes passed from the server to its clients, on every connection: what reads cost on the wire. */
  bytesFromServer = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = createServer({ allowHalfOpen: true });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    const proxy = new TcpProxy(server, port);
    server.on('connection', (client) => proxy.accept(client, targetPort, targetHost));
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Stops passing bytes on every connection, current and new; sockets stay open. */
  blackhole(): void {
    this.down = true;
  }

  /** Bytes flow again; closes that happened meanwhile reach their peers now. Stalled connections stay silent. */
  heal(): void {
    this.down = false;
    for (const link of this.links) {
      if (link.pendingClose && !link.stalled) this.destroy(link);
    }
  }

  /** Destroys every open connection, on both sides. */
  cut(): void {
    for (const link of [...this.links]) this.destroy(link);
  }

  /** Every connection open now goes silent for good (as after a NAT or firewall forgot them); new ones work. */
  stallOpenConnections(): void {
    for (const link of this.links) link.stalled = true;
  }

  /**
   * The next connection whose client sends a chunk at which `point` answers an
   * offset passes the bytes before it, then goes silent for good (until `cut`).
   */
  stallWhen(point: StallPoint): void {
    this.stallPoint = point;
  }

  get openConnections(): number {
    return this.links.size;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number, targetHost: string): void {
    const server = connect({ port: targetPort, host: targetHost, allowHalfOpen: true });
    const link: Link = { client, server, stalled: false, pendingClose: false };
    this.links.add(link);
    client.on('data', (chunk: Buffer) => this.forward(link, chunk, server, true));
    server.on('data', (chunk: Buffer) => this.forward(link, chunk, client, false));
    for (const socket of [client, server]) {
      socket.on('error', () => this.closed(link));
      socket.on('end', () => this.closed(link));
      socket.on('close', () => this.closed(link));
    }
  }

  private forward(link: Link, chunk: Buffer, to: Socket, fromClient: boolean): void {
    if (link.stalled || this.down) return;
    const stallAt = fromClient && this.stallPoint ? this.stallPoint(chunk) : undefined;
    if (stallAt !== undefined) {
      this.stallPoint = undefined;
      link.stalled = true;
      if (stallAt > 0) to.write(chunk.subarray(0, stallAt));
      return;
    }
    if (!fromClient) this.bytesFromServer += chunk.length;
    to.write(chunk);
  }

  private closed(link: Link): void {
    if (!this.links.has(link)) return;
    if (link.stalled || this.down) {
      link.pendingClose = true;
      return;
    }
    this.destroy(link);
  }

  private destroy(link: Link): void {
    this.links.delete(link);
    link.client.destroy();
    link.server.destroy();
  }
}
