// One Jest configuration for the whole workspace: unit specs sit beside the code
// (`*.spec.ts` under src/), tests against the real Kafka and PostgreSQL sit in
// `apps/*/test/`, `libs/*/test/` and `e2e/` (`*.test.ts`).
const swcConfig = JSON.parse(require('fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcConfig.$schema;

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: '<rootDir>/libs/testing/src/topic-cleaning-environment.ts',
  transform: { '^.+\\.ts$': ['@swc/jest', swcConfig] },
  moduleNameMapper: { '^@fil/(.*)$': '<rootDir>/libs/$1/src/index.ts' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.local/'],
  setupFiles: ['reflect-metadata', '<rootDir>/libs/testing/src/jest-setup.ts'],
};
