// The files of a pack as they arrive during a load: each one can be asked for before it is on hand,
// so a graph's session is created as soon as its file is verified, while the rest still download or
// are read back (workers/engine.ts). When the load fails, everything still waited for fails with it.

export class FileArrivals {
  private readonly blobs = new Map<string, Blob>();
  private readonly waiting = new Map<string, { resolve: (blob: Blob) => void; reject: (e: unknown) => void }[]>();
  private failure: { error: unknown } | null = null;
  private finished = false;

  /** A file is on hand (verified): whoever waits for it goes on. */
  arrived(path: string, blob: Blob): void {
    this.blobs.set(path, blob);
    for (const waiter of this.waiting.get(path) ?? []) waiter.resolve(blob);
    this.waiting.delete(path);
  }

  /** The load failed: every wait, now and later, fails with its error. */
  failed(error: unknown): void {
    this.failure = { error };
    this.rejectWaiting(() => error);
  }

  /** Every file has arrived: a wait for any other path can never end, so it fails. */
  finish(): void {
    this.finished = true;
    this.rejectWaiting((path) => new Error(`the pack has no file ${path}`));
  }

  get(path: string): Promise<Blob> {
    const blob = this.blobs.get(path);
    if (blob) return Promise.resolve(blob);
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.finished) return Promise.reject(new Error(`the pack has no file ${path}`));
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(path) ?? [];
      list.push({ resolve, reject });
      this.waiting.set(path, list);
    });
  }

  private rejectWaiting(errorFor: (path: string) => unknown): void {
    for (const [path, list] of this.waiting) for (const waiter of list) waiter.reject(errorFor(path));
    this.waiting.clear();
  }
}
