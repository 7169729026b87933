/** The worker thread of measureHttpLoad (http-load.ts): runs one plan under measureLoad and posts the result. */
import { parentPort, workerData } from 'node:worker_threads';
import type { HttpLoadResult, HttpLoadWorkerData } from './http-load.js';
import { measureLoad } from './load.js';

const { plan, load } = workerData as HttpLoadWorkerData;
const ids: string[] = [];
let lastPosition: bigint | undefined;
const headers = { ...plan.headers, ...(plan.body === undefined ? {} : { 'content-type': 'application/json' }) };

function bodyFor(i: number): string | undefined {
  if (plan.body === undefined) return undefined;
  return JSON.stringify(Object.fromEntries(Object.entries(plan.body).map(([key, value]) => [key, typeof value === 'string' ? value.replaceAll('{i}', String(i)) : value])));
}

const figures = await measureLoad(load, async (i) => {
  const path = plan.ids === undefined ? plan.path : plan.path.replace('{id}', plan.ids[Math.floor(Math.random() * plan.ids.length)]!);
  const body = bodyFor(i);
  const response = await fetch(`${plan.base}${path}`, { method: plan.method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  // A bench measures answers that were right, never errors.
  if (response.status !== plan.status) throw new Error(`${plan.method} ${path}: expected ${plan.status}, got ${response.status}: ${text.slice(0, 200)}`);
  if (plan.method === 'GET') return;
  const answer = JSON.parse(text) as { id?: string; position?: string | null };
  if (answer.id !== undefined) ids.push(answer.id);
  if (typeof answer.position === 'string' && (lastPosition === undefined || BigInt(answer.position) > lastPosition)) lastPosition = BigInt(answer.position);
});
parentPort!.postMessage({ figures, ids, lastPosition: lastPosition === undefined ? null : String(lastPosition) } satisfies HttpLoadResult);
