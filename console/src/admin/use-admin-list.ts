import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { describeError } from '../api/errors.js';
import type { Page, WriteAnswer } from '../api/types.js';
import { usePolling, type Polled } from '../components/use-polling.js';

export interface AdminList<T> extends Polled<Page<T>> {
  /** Runs a write, then reads the list again once it includes the write (X-Min-Position). */
  write(action: () => Promise<unknown>): Promise<void>;
  writeError: string | undefined;
}

/** A list of the tenant directory, read again after each write with the write's position, so the change shows at once. */
export function useAdminList<T>(path: string): AdminList<T> {
  const [minPosition, setMinPosition] = useState<string | undefined>();
  const [writeError, setWriteError] = useState<string | undefined>();
  const polled = usePolling(
    () => api.request<Page<T>>('GET', path, minPosition ? { headers: { 'X-Min-Position': minPosition } } : {}),
    10_000,
    [minPosition],
  );
  const write = async (action: () => Promise<unknown>) => {
    setWriteError(undefined);
    try {
      const answer = (await action()) as Partial<WriteAnswer> | undefined;
      if (answer?.position) setMinPosition(answer.position);
      else polled.reload();
    } catch (failure) {
      setWriteError(describeError(failure));
    }
  };
  return { ...polled, write, writeError };
}
