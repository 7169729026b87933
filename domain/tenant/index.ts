export * from './api-key-scopes.js';
export * from './commands.js';
export * from './decider.js';
export * from './events.js';
export * from './state.js';
export * from './streams.js';
export * from './upcasters.js';
