export * from './access.js';
export * from './commands.js';
export * from './decider.js';
export * from './events.js';
export * from './limits.js';
export * from './state.js';
export * from './streams.js';
export * from './ordering.js';
