// @ts-check
/**
 * Mutation testing (`npm run test:mutation`, which starts DynamoDB Local through scripts/mutation.ts).
 * What is mutated, what is left out and why: README, "Mutation testing".
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const excluded = [
  // Tests, their fakes and fixtures.
  '**/*.spec.ts',
  '**/*.adapter-spec.ts',
  '**/*.contract.ts',
  '**/*.fake.ts',
  '**/testing/**',
  '**/in-memory-*.ts',
  // Wiring and declarations: Nest modules, request/response classes (validation and OpenAPI decoration),
  // barrels.
  '**/*.module.ts',
  '**/dto/**',
  '**/*.dto.ts',
  '**/*.responses.ts',
  '**/index.ts',
  // The HTTP and command-line shells: only the e2e suite (test/*.e2e-spec.ts) exercises them.
  '**/*.controller.ts',
  '**/*.decorators.ts',
  '**/*.cli.ts',
];

export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { configFile: 'test/jest-mutation.config.js', enableFindRelatedTests: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    'src/auth/**/*.ts',
    'src/users/**/*.ts',
    'src/balance/**/*.ts',
    'src/common/guards/**/*.ts',
    'src/common/money/**/*.ts',
    'src/common/errors/**/*.ts',
    ...excluded.map((glob) => `!${glob}`),
  ],
  ignorePatterns: ['.cache', '.data', 'dist', 'coverage', 'reports', 'bench', 'deploy'],
  coverageAnalysis: 'perTest',
  // Module-level mutants (constants, regular expressions) need every test for each: skipped, see README.
  ignoreStatic: true,
  // With bail on, many failing runs ended as timeouts here (24 of 124 money mutants), 10 s or more each.
  disableBail: true,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  timeoutMS: 10000,
  // The initial run (every unit and adapter spec, with coverage) takes minutes on a loaded machine.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: Number(process.env.STRYKER_BREAK ?? 70) },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
