/**
 * The probe's HTTP load, run in a worker thread: the load client's own work
 * (fetch, streams, JSON) then stays off the server's event loop, as with a
 * load generator in another process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { measureLoad, type LoadFigures } from '../support/load.js';

export interface LoadWorkerData {
  base: string;
  headers: Record<string, string>;
  kind: 'create' | 'update';
  seconds: number;
  concurrency: number;
  body: string;
  /** For updates: the posts to pick from. */
  ids: string[];
}

export interface LoadWorkerResult {
  figures: LoadFigures;
  ids: string[];
}

const data = workerData as LoadWorkerData;
const ids: string[] = [];
const send = async (method: string, path: string, status: number, body: unknown): Promise<{ id: string }> => {
  const response = await fetch(`${data.base}${path}`, { method, headers: data.headers, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== status) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as { id: string };
};
// Loaded and compiled: the probe starts its clocks on the answer, so none of that counts.
parentPort!.postMessage('ready');
await new Promise((resolve) => parentPort!.once('message', resolve));
const figures = await measureLoad({ seconds: data.seconds, concurrency: data.concurrency }, async (i) => {
  if (data.kind === 'create') ids.push((await send('POST', '/api/posts', 201, { title: `Post ${i}`, body: data.body, format: 'plain' })).id);
  else await send('PUT', `/api/posts/${data.ids[Math.floor(Math.random() * data.ids.length)]}`, 200, { title: `Post ${i}, edited`, body: data.body });
});
parentPort!.postMessage({ figures, ids } satisfies LoadWorkerResult);
