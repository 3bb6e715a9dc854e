import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { IdbConditioningCache } from './conditioning-store';
import type { Conditioning } from '../pipeline/conditioning';

let stores = 0;
const freshStore = () => createStore(`conditioning-test-${stores++}`, 'prompts');

function conditioning(fill: number, width = 8): Conditioning {
  return {
    context: new Float32Array(2 * 3 * width).fill(fill),
    mask: BigInt64Array.from([1n, 1n, 0n, 1n, 0n, 0n]),
    rows: 2,
    length: 3,
    width,
  };
}

describe('prompt embedding cache in IndexedDB', () => {
  it('gives back what it stored, typed arrays included, and nothing for an unknown prompt', async () => {
    const cache = new IdbConditioningCache(freshStore());
    await cache.set('a', conditioning(0.5));
    const back = await cache.get('a');
    expect(back?.context).toBeInstanceOf(Float32Array);
    expect(back).toEqual(conditioning(0.5));
    expect(await cache.get('b')).toBeUndefined();
  });

  it('drops the least recently used prompts past its byte budget', async () => {
    const entry = 2 * 3 * 8 * 4 + 6 * 8; // context + mask bytes
    const cache = new IdbConditioningCache(freshStore(), 2 * entry);
    await cache.set('a', conditioning(1));
    await cache.set('b', conditioning(2));
    await cache.get('a'); // now b is the oldest
    await cache.set('c', conditioning(3));
    expect(await cache.get('a')).toEqual(conditioning(1));
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('c')).toEqual(conditioning(3));
    // One prompt larger than the whole budget is not stored at all (nor evicts the others).
    await cache.set('huge', conditioning(4, 1000));
    expect(await cache.get('huge')).toBeUndefined();
    expect(await cache.get('c')).toEqual(conditioning(3));
  });
});
