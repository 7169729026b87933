import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent, Subscription, SubscriptionItem } from '../../infra/event-store/event-store.js';

export function newEvent(type = 'SomethingHappened', data: NewEvent['data'] = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata: { correlationId: randomUUID() } };
}

export function newEvents(count: number, type = 'SomethingHappened'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => newEvent(type, { i }));
}

export function uniqueStream(category = 'test'): string {
  return `${category}-${randomUUID()}`;
}

/** Pulls items until `until` says stop or the time runs out, which fails the test with what was seen. */
export async function collect(
  subscription: Subscription,
  until: (events: RecordedEvent[], item: SubscriptionItem) => boolean,
  timeoutMs = 20_000,
): Promise<{ events: RecordedEvent[]; items: SubscriptionItem[] }> {
  const events: RecordedEvent[] = [];
  const items: SubscriptionItem[] = [];
  const timer = setTimeout(() => void subscription.close(), timeoutMs);
  try {
    for await (const item of subscription) {
      items.push(item);
      if (item.kind === 'event') events.push(item.event);
      if (until(events, item)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return { events, items };
}
