import { request, type IncomingMessage } from 'node:http';

/** One Server-Sent Events frame as a browser's EventSource would parse it (comments kept apart). */
export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

/** A refusal instead of a stream: the status and the body. */
export interface SseRefusal {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A test client of GET /feed/sse on node's http (no EventSource in node 20):
 * keeps every frame and comment, waits for the ones a test expects.
 */
export class SseReader {
  readonly frames: SseFrame[] = [];
  readonly comments: string[] = [];
  readonly ended: Promise<void>;
  private buffer = '';
  private readonly waiters = new Set<() => void>();
  private done = false;

  private constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.take(chunk));
    this.ended = new Promise((resolve) => {
      const end = () => {
        this.done = true;
        this.wake();
        resolve();
      };
      response.once('end', end);
      response.once('close', end);
      response.once('error', end);
    });
  }

  /** Opens a stream; a non-200 answer is returned as an SseRefusal. */
  static open(baseUrl: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<SseReader | SseRefusal> {
    const url = new URL('/feed/sse', baseUrl);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
        if (response.statusCode === 200) return resolve(new SseReader(response));
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The `data` of each unnamed frame, parsed: the feed's messages. */
  get messages(): Array<Record<string, unknown>> {
    return this.frames.filter((frame) => frame.event === undefined).map((frame) => JSON.parse(frame.data) as Record<string, unknown>);
  }

  events(): SseFrame[] {
    return this.frames.filter((frame) => frame.event === undefined && frame.data.startsWith('{"type":"event"'));
  }

  async waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.done) throw new Error(`stream ended before ${what}; got ${JSON.stringify(this.frames.slice(-4))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-4))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        const waiters = this.waiters;
        function wake(): void {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        }
        waiters.add(wake);
      });
    }
  }

  async eventsUntil(count: number): Promise<SseFrame[]> {
    await this.waitFor(() => this.events().length >= count, `${count} events`);
    return this.events();
  }

  close(): void {
    this.response.destroy();
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const frame: SseFrame = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) frame.id = line.slice(4);
        else if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) this.frames.push({ ...frame, data: data.join('\n') });
    }
    this.wake();
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

export function isRefusal(answer: SseReader | SseRefusal): answer is SseRefusal {
  return !(answer instanceof SseReader);
}
