// Keeps every core of this machine busy while a timing-sensitive test runs, as a user's loaded machine
// would be: one spinning thread per core, stopped when the test is done.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export async function withCpuLoad<T>(run: () => Promise<T>): Promise<T> {
  const spinners = Array.from(
    { length: availableParallelism() },
    () => new Worker('for (;;) Math.sqrt(Math.random());', { eval: true }),
  );
  try {
    return await run();
  } finally {
    await Promise.all(spinners.map((spinner) => spinner.terminate()));
  }
}
