import { describe, expect, it } from 'vitest';
import { GenerationCancelledError } from '../shared/errors';
import { LatestRequestWins } from './latest-request-wins';

/** A job of `steps` steps that checks for a stop between steps, as the pipeline does, and logs what
 * it did; each step yields to the event loop (the worker answers messages between steps). */
function job(jobs: LatestRequestWins, name: string, log: string[], steps = 5) {
  return async () => {
    log.push(`${name} start`);
    for (let i = 0; i < steps; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (jobs.stopRequested) {
        log.push(`${name} stopped`);
        throw new GenerationCancelledError();
      }
    }
    log.push(`${name} done`);
    return name;
  };
}

describe('the engine runs one request at a time, the latest winning', () => {
  it('a second request stops the first at its next step, then runs once the first has let go', async () => {
    const jobs = new LatestRequestWins();
    const log: string[] = [];
    const first = jobs.run(job(jobs, 'first', log));
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = jobs.run(job(jobs, 'second', log));
    await expect(first).rejects.toThrow(GenerationCancelledError);
    await expect(second).resolves.toBe('second');
    expect(log).toEqual(['first start', 'first stopped', 'second start', 'second done']);
  });

  it('of three quick requests only the last runs: the middle one is dropped having run nothing', async () => {
    const jobs = new LatestRequestWins();
    const log: string[] = [];
    const runs = ['a', 'b', 'c'].map((name) => jobs.run(job(jobs, name, log)));
    const results = await Promise.allSettled(runs);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(log).toEqual(['a start', 'a stopped', 'c start', 'c done']);
    expect(jobs.running).toBe(false);
  });

  it('cancel stops the running job and drops those waiting; it says false when nothing runs', async () => {
    const jobs = new LatestRequestWins();
    expect(jobs.cancel()).toBe(false);
    const log: string[] = [];
    const running = jobs.run(job(jobs, 'running', log));
    const waiting = jobs.run(job(jobs, 'waiting', log));
    expect(jobs.cancel()).toBe(true);
    await expect(running).rejects.toThrow(GenerationCancelledError);
    await expect(waiting).rejects.toThrow(GenerationCancelledError);
    expect(log).toEqual(['running start', 'running stopped']);
    // The next request runs normally.
    await expect(jobs.run(job(jobs, 'next', log, 1))).resolves.toBe('next');
  });

  it('a failing job lets the next one run', async () => {
    const jobs = new LatestRequestWins();
    await expect(jobs.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(jobs.run(async () => 'after')).resolves.toBe('after');
  });
});
