import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'workers/**/*.test.ts',
      'shared/**/*.test.ts',
      'test-support/**/*.test.ts',
      'src/**/*.test.ts',
      'model/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    environment: 'node',
  },
});
