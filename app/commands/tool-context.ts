import { loadConfig, type Config } from '../../infra/config/config.js';
import { createLogger, standardLogDestination, type Logger } from '../../infra/logging/logger.js';
import { Runtime } from '../runtime.js';

export interface ToolContext {
  config: Config;
  /** Writes to stderr: stdout carries the command's output. */
  logger: Logger;
  runtime: Runtime;
}

/** What a one-shot command needs; `runtime.stop()` when done releases all of it. */
export function toolContext(env: NodeJS.ProcessEnv): ToolContext {
  const config = loadConfig(env);
  // A tool is quiet unless asked: its output is the point, not its progress.
  const level = env.LOG_LEVEL ? config.LOG_LEVEL : 'warn';
  const logger = createLogger(level, standardLogDestination(2));
  return { config, logger, runtime: new Runtime(logger) };
}

/** Writes a line to stdout, waiting when the pipe is full. */
export async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) {
    await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}
