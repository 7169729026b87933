import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { KurrentDbTarget } from './connection-string.js';

export type ProbeResult = { ok: true } | { ok: false; reason: string };

/**
 * Asks `GET /health/live` on each configured host (KurrentDB serves HTTP and gRPC on
 * one port) with a hard time limit of our own: the client has none on first contact,
 * and against a port that accepts TCP but never answers it would wait forever.
 * Reachable when any host answers 2xx; otherwise the first host's reason.
 */
export async function probe(target: KurrentDbTarget, timeoutMs: number): Promise<ProbeResult> {
  const ca = target.tls && target.tlsCAFile ? await readFile(target.tlsCAFile).catch(() => undefined) : undefined;
  const results = await Promise.all(target.hosts.map((host) => probeHost(target, host, timeoutMs, ca)));
  return results.find((result) => result.ok) ?? results[0] ?? { ok: false, reason: 'no host configured' };
}

function probeHost(target: KurrentDbTarget, host: { host: string; port: number }, timeoutMs: number, ca: Buffer | undefined): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const options = { host: host.host, port: host.port, path: '/health/live', method: 'GET', agent: false as const };
    const request = target.tls
      ? https.request({ ...options, rejectUnauthorized: target.tlsVerifyCert, ...(ca ? { ca } : {}) })
      : http.request(options);
    const timer = setTimeout(() => finish({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    request.on('response', (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      finish(status >= 200 && status < 300 ? { ok: true } : { ok: false, reason: `health check answered HTTP ${status}` });
    });
    request.on('error', (error) => finish({ ok: false, reason: describeNetworkError(error) }));
    request.end();
  });
}

function describeNetworkError(error: Error): string {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  // Node's messages already name the address (`connect ECONNREFUSED 127.0.0.1:2113`).
  return error.message || code || 'connection failed';
}
