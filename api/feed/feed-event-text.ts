import type { RecordedEvent } from '../../infra/event-store/event-store.js';

/**
 * The part of an `event` message every subscriber shares, serialised once
 * per event: everything after `"subscription":<id>,`. Each subscription
 * prepends its own head (`subscriptionHead`), so a thousand sockets cost one
 * JSON.stringify of the payload, not a thousand.
 */
export function eventMessageTail(event: RecordedEvent): string {
  return (
    `"position":"${event.position}","stream":${JSON.stringify(event.stream)},"revision":"${event.revision}",` +
    `"eventType":${JSON.stringify(event.type)},"data":${JSON.stringify(event.data)},"metadata":${JSON.stringify(event.metadata)},` +
    `"recordedAt":"${event.recordedAt.toISOString()}"}`
  );
}

/** `{"type":"event","subscription":"s1",`: built once per subscription. */
export function subscriptionHead(subscriptionId: string): string {
  return `{"type":"event","subscription":${JSON.stringify(subscriptionId)},`;
}

/** A tail built at most once, on first demand (an event nobody may read is never serialised). */
export class LazyEventText {
  private text: string | undefined;
  /** The whole message as bytes, by subscription head: sockets whose subscriptions share an id share one Buffer. */
  private readonly messages = new Map<string, Buffer>();

  constructor(readonly event: RecordedEvent) {}

  get tail(): string {
    return (this.text ??= eventMessageTail(this.event));
  }

  /** Encoded once per distinct head, not once per socket: `ws` then writes the same bytes to every socket without copying or re-encoding them. */
  message(head: string): Buffer {
    let bytes = this.messages.get(head);
    if (bytes === undefined) {
      bytes = Buffer.from(head + this.tail);
      this.messages.set(head, bytes);
    }
    return bytes;
  }
}
