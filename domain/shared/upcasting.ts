/** An event's payload as stored: a plain JSON object (the event store's JsonObject fits). */
export type StoredEventData = { [key: string]: unknown };

/**
 * Turns one stored version of an event type into the next. Registered by the
 * feature that owns the event type; written once when the event's shape
 * changes, and kept for as long as the log holds events of the old version.
 * Pure: no I/O, no clock, no ids, so every reader (command handler,
 * projections, feed, audit) sees the same event.
 */
export interface Upcaster {
  /** The event type, e.g. `PostCreated`. */
  readonly type: string;
  /** Upcasts this version to `fromVersion + 1`. */
  readonly fromVersion: number;
  upcast(data: StoredEventData): StoredEventData;
}

export class InvalidUpcasterError extends Error {
  override readonly name = 'InvalidUpcasterError';
  constructor(readonly type: string, reason: string) {
    super(`upcaster of ${type}: ${reason}`);
  }
}

/**
 * The upcasters of an installation, by event type: brings any stored version
 * of an event to its current version (the one the upcasters reach; 1 for a
 * type without upcasters). Versions below the first registered step are
 * refused at construction, so every stored version has a path to the current one.
 */
export class Upcasters {
  private readonly steps = new Map<string, Upcaster[]>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const upcaster of upcasters) {
      if (!Number.isInteger(upcaster.fromVersion) || upcaster.fromVersion < 1) throw new InvalidUpcasterError(upcaster.type, `fromVersion must be a positive integer, not ${upcaster.fromVersion}`);
      const list = this.steps.get(upcaster.type) ?? [];
      if (list[upcaster.fromVersion - 1]) throw new InvalidUpcasterError(upcaster.type, `two upcasters from version ${upcaster.fromVersion}`);
      list[upcaster.fromVersion - 1] = upcaster;
      this.steps.set(upcaster.type, list);
    }
    for (const [type, list] of this.steps) {
      // A hole (1→2 and 3→4 without 2→3) would leave version 2 stuck.
      for (let index = 0; index < list.length; index++) if (!list[index]) throw new InvalidUpcasterError(type, `no upcaster from version ${index + 1}`);
    }
  }

  get isEmpty(): boolean {
    return this.steps.size === 0;
  }

  /** Whether events of this type may need upcasting: a cheap test before touching their payload. */
  handles(type: string): boolean {
    return this.steps.has(type);
  }

  /** The version every stored event of this type is brought to. */
  currentVersion(type: string): number {
    return (this.steps.get(type)?.length ?? 0) + 1;
  }

  /** Event types with upcasters, each with its current version. */
  currentVersions(): Map<string, number> {
    return new Map([...this.steps.keys()].map((type): [string, number] => [type, this.currentVersion(type)]));
  }

  /**
   * Applies the steps from `version` to the current one. A version above the
   * current one (written by newer code) is returned as it is: the reader
   * decides whether it can use it.
   */
  upcast(type: string, version: number, data: StoredEventData): { version: number; data: StoredEventData } {
    const list = this.steps.get(type);
    if (!list) return { version, data };
    let current = data;
    let reached = version;
    for (; reached >= 1 && reached <= list.length; reached++) current = list[reached - 1]!.upcast(current);
    return { version: reached, data: current };
  }
}
