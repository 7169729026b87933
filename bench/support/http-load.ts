/**
 * HTTP load from a worker thread: the load client's own work (fetch, its
 * streams, JSON) stays off the event loop of the server it measures, as with
 * a load generator in another process. The server and the client still
 * share the machine's cores.
 */
import { Worker } from 'node:worker_threads';
import type { LoadFigures, LoadOptions } from './load.js';

/** One kind of request, sent back to back by every worker of the load. */
export interface HttpPlan {
  base: string;
  method: 'GET' | 'POST' | 'PUT';
  /** `{id}` is replaced by one of `ids`, at random. */
  path: string;
  headers?: Record<string, string>;
  ids?: readonly string[];
  /** A JSON body; `{i}` in its string values is replaced by the request's number. */
  body?: Record<string, unknown>;
  status: number;
}

export interface HttpLoadResult {
  figures: LoadFigures;
  /** Each answer's `id` (where it has one), in order of arrival. */
  ids: string[];
  /** The highest `position` of the answers, as text; null when none had one. */
  lastPosition: string | null;
}

export interface HttpLoadWorkerData {
  plan: HttpPlan;
  load: LoadOptions;
}

const WORKER = new URL('./http-load-worker.ts', import.meta.url).href;

export async function measureHttpLoad(load: LoadOptions, plan: HttpPlan): Promise<HttpLoadResult> {
  // A worker does not inherit the tsx CLI's loader: it loads the TypeScript through tsx's API.
  const script = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(WORKER)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(script, { eval: true, workerData: { plan, load } satisfies HttpLoadWorkerData });
  try {
    return await new Promise<HttpLoadResult>((resolve, reject) => {
      worker.once('message', (result: HttpLoadResult) => resolve(result));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the HTTP load worker exited with code ${code} before answering`)));
    });
  } finally {
    await worker.terminate();
  }
}
