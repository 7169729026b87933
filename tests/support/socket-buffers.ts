import { readFileSync } from 'node:fs';

/** Linux's defaults when /proc cannot be read: tcp_rmem and tcp_wmem maxima of 6 MB and 4 MB. */
const FALLBACK_MAX_BYTES = { receive: 6 * 1024 * 1024, send: 4 * 1024 * 1024 };

function maxOf(file: string, fallback: number): number {
  try {
    // "min default max": the most the kernel's autotuning lets one socket's buffer grow to.
    const max = Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]);
    return Number.isFinite(max) && max > 0 ? max : fallback;
  } catch {
    return fallback;
  }
}

/**
 * The most bytes one TCP connection between two sockets can hold in the
 * kernel: the sender's send buffer plus the receiver's receive buffer, each
 * at its autotuning maximum. A stream larger than a few of these cannot be
 * swallowed by buffers, so its writer must wait for its reader.
 */
export function maxBytesInFlightPerConnection(): number {
  return maxOf('/proc/sys/net/ipv4/tcp_wmem', FALLBACK_MAX_BYTES.send) + maxOf('/proc/sys/net/ipv4/tcp_rmem', FALLBACK_MAX_BYTES.receive);
}
