// The conditioning cache in IndexedDB (idb-keyval): one record per prompt, plus an index of sizes and
// last use, so the least recently used prompts are dropped past a byte budget. A full-size prompt
// embedding is ~4 MB (129 rows × 4096 floats × 2 branches), so the budget keeps about 30 of those,
// or thousands of the nano model's.
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { ConditioningCache } from '../pipeline/conditioning-cache';
import type { Conditioning } from '../pipeline/conditioning';

export const CONDITIONING_CACHE_BYTES = 128 * 2 ** 20;
const INDEX = 'index';

interface IndexEntry {
  key: string;
  bytes: number;
  used: number;
}

export class IdbConditioningCache implements ConditioningCache {
  private clock = Date.now();

  constructor(
    private readonly store: UseStore = createStore('kandinsky-web-conditioning', 'prompts'),
    private readonly budgetBytes = CONDITIONING_CACHE_BYTES,
  ) {}

  /** Strictly increasing, so two uses in the same millisecond still order. */
  private now(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  private async index(): Promise<IndexEntry[]> {
    return (await get<IndexEntry[]>(INDEX, this.store)) ?? [];
  }

  async get(key: string): Promise<Conditioning | undefined> {
    const value = await get<Conditioning>(`prompt:${key}`, this.store);
    if (value) {
      const index = await this.index();
      const entry = index.find((e) => e.key === key);
      if (entry) {
        entry.used = this.now();
        await set(INDEX, index, this.store);
      }
    }
    return value;
  }

  async set(key: string, value: Conditioning): Promise<void> {
    const bytes = value.context.byteLength + value.mask.byteLength;
    if (bytes > this.budgetBytes) return;
    await set(`prompt:${key}`, value, this.store);
    const index = (await this.index()).filter((e) => e.key !== key);
    index.push({ key, bytes, used: this.now() });
    index.sort((a, b) => b.used - a.used);
    let total = 0;
    const kept = index.filter((e) => (total += e.bytes) <= this.budgetBytes);
    for (const dropped of index.slice(kept.length)) await del(`prompt:${dropped.key}`, this.store);
    await set(INDEX, kept, this.store);
  }
}
