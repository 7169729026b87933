/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
  },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  globalSetup: '<rootDir>/tests/support/global-setup.mjs',
  globalTeardown: '<rootDir>/tests/support/global-teardown.mjs',
  testTimeout: 30000,
  // Each test file's ES modules stay in memory after it ends (vm modules are never freed), so one
  // process running every file grows past 2 GB and spends ever longer collecting garbage. A limit
  // moves the files into a worker (even with one worker) that is replaced once its heap passes it.
  workerIdleMemoryLimit: '600MB',
};
