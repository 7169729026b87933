import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventTooLargeError, InvalidAppendError, InvalidReadError } from '../../infra/event-store/errors.js';
import { KurrentDbEventStore } from '../../infra/event-store/kurrentdb/kurrentdb-event-store.js';
import { POSITION_LIMIT } from '../../infra/event-store/kurrentdb/positions.js';
import { createLogger } from '../../infra/logging/logger.js';
import { badInputs } from '../contract/bad-inputs.js';
import { newEvent, uniqueStream } from '../support/events.js';
import { freePort } from '../support/free-port.js';

const ERROR_CLASSES = { InvalidAppendError, InvalidReadError } as const;

/**
 * The contract suite needs a live KurrentDB for the rest; these checks need
 * none. Against a closed port any call that reached the network would fail
 * with EventStoreUnavailableError: the typed refusals show none did.
 */
describe('KurrentDB adapter refuses bad input before any I/O', () => {
  let store: KurrentDbEventStore;

  beforeAll(async () => {
    const port = await freePort();
    store = await KurrentDbEventStore.connect({
      connectionString: `kurrentdb://127.0.0.1:${port}?tls=false&defaultDeadline=1000`,
      logger: createLogger('silent'),
      connectTimeoutMs: 500,
      maxEventBytes: 1000,
    });
  });
  afterAll(async () => store?.close());

  it.each(badInputs)('refuses $name with $error naming $field', async ({ error, field, call }) => {
    const failure = await call(store, uniqueStream('bad')).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(failure).toBeInstanceOf(ERROR_CLASSES[error]);
    expect(failure).toMatchObject({ field });
  });

  it('refuses an event over its maximum size, and positions at its limit', async () => {
    const large = newEvent('Large', { text: 'x'.repeat(1000) });
    await expect(store.appendToStream(uniqueStream(), [large])).rejects.toBeInstanceOf(EventTooLargeError);
    await expect(store.readAll({ fromPosition: POSITION_LIMIT })).rejects.toBeInstanceOf(InvalidReadError);
  });
});
