/**
 * How the feed bench times a message across processes: every event it writes
 * carries `feedbench:<seq>:` in its text, the writer notes when it sent and
 * when it saw each seq acknowledged, and every client notes when each seq
 * arrived. Times are `performance.timeOrigin + performance.now()`: wall-clock
 * milliseconds with sub-millisecond resolution, comparable between processes
 * of one machine (all read the same clock), monotonic within each.
 */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

const MARK = 'feedbench:';
const MARK_BYTES = Buffer.from(MARK);
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export function markedText(seq: number): string {
  return `${MARK}${seq}:`;
}

/** The seq a message carries, found without parsing its JSON (a client must not be slower than the server it measures); -1 when none. */
export function seqOf(message: Buffer): number {
  const at = message.indexOf(MARK_BYTES);
  if (at < 0) return -1;
  let seq = 0;
  let index = at + MARK_BYTES.length;
  const start = index;
  for (; index < message.length; index++) {
    const byte = message[index]!;
    if (byte < DIGIT_0 || byte > DIGIT_9) break;
    seq = seq * 10 + (byte - DIGIT_0);
  }
  return index > start ? seq : -1;
}
