import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: a timeout guards against hangs, and a loaded 2-core machine ran optimize/pack past 120 s.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Native work already uses both cores; parallel files would only fight over them.
    fileParallelism: false,
  },
});
