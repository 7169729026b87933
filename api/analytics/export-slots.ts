import { Unavailable } from '../errors.js';

/** Every export slot of the process is taken: 503 `exports_busy`, try again later. */
export class ExportsBusyError extends Unavailable {
  constructor(limit: number) {
    super(`${limit} exports are already streaming from this process (ANALYTICS_EXPORT_CONCURRENCY); try again later`, { code: 'exports_busy' });
  }
}

/**
 * How many exports stream at once in this process: each holds a PostgreSQL
 * session of its own for as long as its client reads, outside the pool the
 * other requests share.
 */
export class ExportSlots {
  private taken = 0;

  constructor(private readonly limit: number) {}

  /** A slot, or ExportsBusyError; the function given back frees it (once, however often it is called). */
  take(): () => void {
    if (this.taken >= this.limit) throw new ExportsBusyError(this.limit);
    this.taken += 1;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.taken -= 1;
    };
  }

  get inUse(): number {
    return this.taken;
  }
}
