import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['workers/**/*.test.ts', 'src/**/*.test.ts', 'model/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
  },
});
