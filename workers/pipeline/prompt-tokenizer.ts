// Prompts → token ids with the pack's tokenizer.json, via @huggingface/tokenizers (the same library
// the Python tests check our tokenizer files against).
import { Tokenizer } from '@huggingface/tokenizers';

export class PromptTokenizer {
  private readonly tokenizer: Tokenizer;

  constructor(
    tokenizerJson: object,
    readonly maxLength: number,
    readonly padId: number,
  ) {
    this.tokenizer = new Tokenizer(tokenizerJson as never, {});
  }

  /** Ids including the EOS the tokenizer appends; longer prompts keep their first maxLength − 1
   * tokens and the EOS, as T5's truncation does. */
  encode(text: string): number[] {
    const ids = this.tokenizer.encode(text).ids;
    if (ids.length <= this.maxLength) return ids;
    return [...ids.slice(0, this.maxLength - 1), ids[ids.length - 1]!];
  }
}

export interface TokenBatch {
  ids: BigInt64Array; // (rows, length), padded with padId
  mask: BigInt64Array; // 1 on real tokens
  rows: number;
  length: number;
}

/** Pads rows into one batch cut to the longest real length + 1 (at most maxLength): the original keeps
 * exactly one padded row, and the U-Net's attention pooling averages over it (kandinsky3-architecture §5.3). */
export function batchTokens(rows: number[][], padId: number, maxLength: number): TokenBatch {
  const longest = Math.max(...rows.map((r) => r.length));
  const length = Math.min(longest + 1, maxLength);
  const ids = new BigInt64Array(rows.length * length).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * length);
  rows.forEach((row, r) => {
    row.slice(0, length).forEach((id, i) => {
      ids[r * length + i] = BigInt(id);
      mask[r * length + i] = 1n;
    });
  });
  return { ids, mask, rows: rows.length, length };
}
