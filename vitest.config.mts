import { defineConfig } from 'vitest/config'

// Unit and integration tests: plain Node, real SQLite, real DICOM files made by the tests.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2
  }
})
