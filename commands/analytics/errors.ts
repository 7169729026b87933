/** A request's lone event (a `/v1/track` call, a native event sent alone) is larger than ANALYTICS_MAX_EVENT_BYTES: refused whole, nothing appended. */
export class IngestEventTooLargeError extends Error {
  override readonly name = 'IngestEventTooLargeError';
  constructor(
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(`the event is ${bytes} bytes of JSON, more than the limit of ${limitBytes} (ANALYTICS_MAX_EVENT_BYTES)`);
  }
}

/** More events in one request than ANALYTICS_MAX_EVENTS_PER_REQUEST: refused whole, nothing appended. */
export class TooManyIngestEventsError extends Error {
  override readonly name = 'TooManyIngestEventsError';
  constructor(
    readonly count: number,
    readonly limit: number,
  ) {
    super(`the request holds ${count} events, more than the limit of ${limit} (ANALYTICS_MAX_EVENTS_PER_REQUEST)`);
  }
}
