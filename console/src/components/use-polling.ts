import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, ServerUnreachableError, SignedOutError } from '../api/errors.js';

export interface Polled<T> {
  data: T | undefined;
  /** The last failure, shown to the person; cleared by the next success. */
  error: string | undefined;
  /** Fetch now (after an action), not at the next tick. */
  reload(): void;
}

/**
 * Reads `load` now and every `intervalMs` while the page is shown. A
 * signed-out failure is left to the sign-in page; an unreachable server is
 * shown and retried at the next tick.
 */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number, deps: readonly unknown[] = []): Polled<T> {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [tick, setTick] = useState(0);
  const live = useRef(true);

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const next = await load();
        if (stopped) return;
        setData(next);
        setError(undefined);
      } catch (failure) {
        if (stopped || failure instanceof SignedOutError) return;
        setError(failure instanceof ServerUnreachableError ? failure.message : describeError(failure));
      }
      if (!stopped) timer = setTimeout(() => void run(), intervalMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick, intervalMs, ...deps]);

  return { data, error, reload: () => live.current && setTick((value) => value + 1) };
}
