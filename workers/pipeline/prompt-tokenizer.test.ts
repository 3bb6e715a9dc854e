import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { batchTokens, PromptTokenizer } from './prompt-tokenizer';

const tokenizerJson = JSON.parse(
  readFileSync(new URL('../../public/models/kandinsky3-tiny-random/tokenizer.json', import.meta.url), 'utf8'),
);
const vocab: Record<string, number> = tokenizerJson.model.vocab;

describe('PromptTokenizer', () => {
  const tokenizer = new PromptTokenizer(tokenizerJson, 128, 0);

  it('gives one id per known word, then EOS', () => {
    expect(tokenizer.encode('Red apple, 3D style')).toEqual(
      ['red', 'apple', ',', '3d', 'style', '[EOS]'].map((t) => vocab[t]),
    );
  });

  it('keeps at most 128 tokens, the last one EOS', () => {
    const ids = tokenizer.encode('red '.repeat(300));
    expect(ids).toHaveLength(128);
    expect(ids.at(-1)).toBe(vocab['[EOS]']);
  });

  it('encodes the empty prompt as EOS alone', () => {
    expect(tokenizer.encode('')).toEqual([vocab['[EOS]']]);
  });
});

describe('batchTokens', () => {
  it('cuts to the longest real length + 1, padding with 0 and masking', () => {
    const batch = batchTokens([[5, 6, 2], [2]], 0, 128);
    expect(batch.length).toBe(4);
    expect(Array.from(batch.ids)).toEqual([5n, 6n, 2n, 0n, 2n, 0n, 0n, 0n]);
    expect(Array.from(batch.mask)).toEqual([1n, 1n, 1n, 0n, 1n, 0n, 0n, 0n]);
  });

  it('never exceeds the maximum length', () => {
    expect(batchTokens([Array(128).fill(7)], 0, 128).length).toBe(128);
  });
});
