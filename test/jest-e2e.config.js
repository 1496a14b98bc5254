/** End-to-end tests: a real DynamoDB Local started once per run by test/global-setup.ts. */
module.exports = {
  rootDir: '..',
  // e2e specs in test/, and the persistence adapters' contract specs beside them in src/.
  testRegex: '(test/.*\\.e2e-spec|src/.*\\.adapter-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60000,
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/**/*.adapter-spec.ts'],
  coverageDirectory: '<rootDir>/coverage/e2e',
};
