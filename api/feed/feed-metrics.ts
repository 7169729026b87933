import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RecordedEvent } from '../../infra/event-store/event-store.js';
import { FEED_CLOSE_CODES } from '../../feed-client/messages.js';

export type FeedTransport = 'websocket' | 'sse';

/** Why a connection ended, as a label: a few fixed values, never the client's text. */
export type DisconnectReason =
  | 'client_closed'
  | 'connection_lost'
  | 'going_away'
  | 'session_ended'
  | 'slow_consumer'
  | 'too_many_connections'
  | 'message_too_big'
  | 'protocol_error'
  | 'heartbeat_timeout';

/** What is open right now, read when Prometheus scrapes (never kept up to date by hand). */
export interface FeedCensus {
  connections(transport: FeedTransport): number;
  subscriptions(): number;
}

/** What one transport reports as it sends. */
export interface FeedSendMeter {
  /** One message written; `liveEvent` when it carries an event delivered live (a replayed one's age is not a delay). */
  sent(message: string | Buffer, liveEvent?: RecordedEvent): void;
}

const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The live feed's metrics in the process's registry (`services.metrics`,
 * served on /metrics): connections and subscriptions open, messages and
 * bytes sent (counters: Prometheus' `rate()` gives per second), disconnects
 * by reason, and the delivery lag from append (`recordedAt`) to send.
 */
export class FeedMetrics {
  private readonly messages: Counter<'transport'>;
  private readonly bytes: Counter<'transport'>;
  private readonly disconnects: Counter<'transport' | 'reason'>;
  private readonly lag: Histogram<'transport'>;
  private readonly meters = new Map<FeedTransport, FeedSendMeter>();

  constructor(registry: Registry, census: FeedCensus) {
    const registers = [registry];
    new Gauge({
      name: 'chronicle_feed_connections',
      help: 'Open live feed connections by transport',
      labelNames: ['transport'] as const,
      registers,
      collect() {
        this.set({ transport: 'websocket' }, census.connections('websocket'));
        this.set({ transport: 'sse' }, census.connections('sse'));
      },
    });
    new Gauge({
      name: 'chronicle_feed_subscriptions',
      help: 'Open live feed subscriptions (an SSE stream is one)',
      registers,
      collect() {
        this.set(census.subscriptions());
      },
    });
    this.messages = new Counter({ name: 'chronicle_feed_messages_sent_total', help: 'Live feed messages sent', labelNames: ['transport'] as const, registers });
    this.bytes = new Counter({ name: 'chronicle_feed_bytes_sent_total', help: 'Live feed message bytes sent (payload, before framing)', labelNames: ['transport'] as const, registers });
    this.disconnects = new Counter({ name: 'chronicle_feed_disconnects_total', help: 'Live feed connections ended, by transport and reason', labelNames: ['transport', 'reason'] as const, registers });
    this.lag = new Histogram({
      name: 'chronicle_feed_delivery_lag_seconds',
      help: 'From an event being appended (recordedAt) to its live delivery being handed to the socket',
      labelNames: ['transport'] as const,
      buckets: LAG_BUCKETS,
      registers,
    });
  }

  /** The meter of one transport: label children made once, not per message. */
  meter(transport: FeedTransport): FeedSendMeter {
    let meter = this.meters.get(transport);
    if (!meter) {
      const messages = this.messages.labels({ transport });
      const bytes = this.bytes.labels({ transport });
      const lag = this.lag.labels({ transport });
      meter = {
        sent(message, liveEvent) {
          messages.inc();
          bytes.inc(Buffer.byteLength(message));
          if (liveEvent) lag.observe(Math.max(0, Date.now() - liveEvent.recordedAt.getTime()) / 1000);
        },
      };
      this.meters.set(transport, meter);
    }
    return meter;
  }

  disconnected(transport: FeedTransport, reason: DisconnectReason): void {
    this.disconnects.inc({ transport, reason });
  }
}

/** The label for a WebSocket close: the code the server closed with, else the code the close event reported. */
export function disconnectReason(code: number, byServer: boolean): DisconnectReason {
  switch (code) {
    case FEED_CLOSE_CODES.goingAway:
      return byServer ? 'going_away' : 'client_closed';
    case FEED_CLOSE_CODES.sessionEnded:
      return 'session_ended';
    case FEED_CLOSE_CODES.slowConsumer:
      return 'slow_consumer';
    case FEED_CLOSE_CODES.tooManyConnections:
      return 'too_many_connections';
    case FEED_CLOSE_CODES.tooBig:
      return 'message_too_big';
    case 1002:
    case 1003:
    case 1007:
      return 'protocol_error';
    case 1006:
      return 'connection_lost';
    default:
      return 'client_closed';
  }
}
