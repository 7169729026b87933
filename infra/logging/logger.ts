import { pino, type Logger, type LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear. */
export const redactedPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  'refreshToken',
  '*.accessToken',
  '*.refreshToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

/**
 * Where a process logs: JSON lines for pipes, files and log collectors, and
 * lines a person can read (pino-pretty) when the stream is a terminal.
 */
export function standardLogDestination(fd: 1 | 2 = 1): pino.DestinationStream {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!stream.isTTY) return pino.destination({ fd, sync: true });
  return pinoPretty({
    destination: fd,
    sync: true,
    colorize: true,
    translateTime: 'SYS:HH:MM:ss.l',
    // Said once per process, not on every line.
    ignore: 'pid,hostname,service',
  });
}

export function createLogger(level: LevelWithSilent, destination: pino.DestinationStream = standardLogDestination()): Logger {
  return pino(
    {
      level,
      base: { service: 'chronicle' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** Removes credentials from a connection URL before it is shown anywhere. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
