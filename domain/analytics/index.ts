export * from './events.js';
export * from './ids.js';
export * from './streams.js';
