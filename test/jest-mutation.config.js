/**
 * The suites Stryker runs against each mutant (`npm run test:mutation`): the unit specs and the
 * persistence adapters' contract specs. scripts/mutation.ts starts one DynamoDB Local for the whole
 * mutation run and passes it as TEST_DYNAMODB_ENDPOINT; there is no global setup here, because
 * Stryker's jest runner would run it again for every mutant. The e2e specs (test/*.e2e-spec.ts) are
 * not run: minutes per mutant on 2 cores.
 */
module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/src'],
  testRegex: 'src/.*\\.(spec|adapter-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  testTimeout: 60000,
};
