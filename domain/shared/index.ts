export * from './decider.js';
export * from './errors.js';
export * from './events.js';
export * from './metadata.js';
export * from './upcasting.js';
export * from './caller.js';
