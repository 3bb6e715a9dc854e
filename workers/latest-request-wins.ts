// The engine runs one generate/inpaint at a time, and the latest request wins: a request while
// another runs stops that one at its next step and waits until it has let go of the sessions; a
// request that a newer one overtook while it waited ends as cancelled, having run nothing. The
// engine decides this itself rather than trusting the page to send one request at a time.
import { GenerationCancelledError } from '../shared/errors';

interface Job {
  cancelled: boolean;
  done: Promise<void>;
}

export class LatestRequestWins {
  private job: Job | null = null;
  private requests = 0;

  /** Whether the running job should stop at its next step (polled between steps). */
  get stopRequested(): boolean {
    return this.job?.cancelled ?? false;
  }

  get running(): boolean {
    return this.job !== null;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const request = ++this.requests;
    while (this.job) {
      this.job.cancelled = true;
      await this.job.done;
    }
    if (request !== this.requests) throw new GenerationCancelledError();
    let finished!: () => void;
    this.job = { cancelled: false, done: new Promise<void>((resolve) => (finished = resolve)) };
    try {
      return await work();
    } finally {
      this.job = null;
      finished();
    }
  }

  /** Stops the running job at its next step, and drops any waiting behind it; false when idle. */
  cancel(): boolean {
    if (!this.job) return false;
    this.job.cancelled = true;
    this.requests++;
    return true;
  }
}
