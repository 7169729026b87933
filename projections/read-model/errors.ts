/** A read model declared wrongly (columns, filter, union): thrown when it is defined, before anything runs. */
export class ReadModelDefinitionError extends Error {
  override readonly name = 'ReadModelDefinitionError';
  constructor(
    readonly readModel: string,
    detail: string,
  ) {
    super(`read model ${readModel}: ${detail}`);
  }
}

/**
 * An event of a type the read model handles whose data its schema refuses.
 * Thrown from apply, so the engine stops the projection at this event (an
 * operator may fix the code or skip it); never skipped silently, since the
 * rows would drift from the log. Names the fields, never their values.
 */
export class ReadModelEventError extends Error {
  override readonly name = 'ReadModelEventError';
  constructor(
    readonly readModel: string,
    readonly eventType: string,
    readonly position: bigint,
    readonly paths: readonly string[],
  ) {
    super(`read model ${readModel}: event ${eventType} at position ${String(position)} does not match its schema (${paths.join(', ') || 'the event'})`);
  }
}

/** evolve returned a row whose primary key is not the key the event was filed under. */
export class ReadModelKeyMismatchError extends Error {
  override readonly name = 'ReadModelKeyMismatchError';
  constructor(
    readonly readModel: string,
    readonly key: string,
    readonly rowKey: unknown,
  ) {
    super(`read model ${readModel}: evolve returned a row keyed ${JSON.stringify(rowKey)} for key ${JSON.stringify(key)}`);
  }
}
