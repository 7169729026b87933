#!/usr/bin/env node
// The `chronicle` executable: runs the TypeScript sources through tsx, no build step.
import { tsImport } from 'tsx/esm/api';

process.stdout.on('error', (error) => {
  // `chronicle events tail | head` closes the pipe early: not a failure.
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const { main } = await tsImport('../app/cli.ts', import.meta.url);
const code = await main(process.argv.slice(2));
// Pools and timers of a finished command must not keep it alive.
process.exit(code);
