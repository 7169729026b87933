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

  constructor(readonly event: RecordedEvent) {}

  get tail(): string {
    return (this.text ??= eventMessageTail(this.event));
  }
}
