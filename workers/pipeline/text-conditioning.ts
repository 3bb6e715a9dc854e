// Prompt (and negative prompt) → the context and mask rows for one U-Net, in the unconditional
// convention the pack's manifest names (kandinsky3-architecture §5.4):
// - empty-prompt: the negative prompt (or "") is encoded like a prompt (how the nano packs train);
// - zero-context (diffusers): a zero T5 context with an all-zero mask, or the negative prompt encoded and
//   then cut to the prompt's rows. Where the pack's text graph zeroes padded rows before the U-Net's
//   projection (manifest text.padding, as diffusers does), those zero rows become the projection of zero;
//   otherwise they stay zero;
// - null-embedding: zeros with row 0 = the pack's null embedding and mask [1, 0, …]; a negative prompt
//   is cut to the prompt's token count, ends in EOS and reuses the prompt's mask (original 3.1).
// Row 0 is the conditional branch, row 1 (when guidance is on) the unconditional one.
import { textPadding, type PackManifest } from '../pack/manifest';
import type { Conditioning, ConditioningRequest } from './conditioning';
import { cachedConditioning } from './conditioning-cache';
import type { PipelineContext } from './pipeline-context';
import { asFloat32, float32, int64, type GraphRunner } from './graph-runner';
import { batchTokens, type PromptTokenizer, type TokenBatch } from './prompt-tokenizer';

/** The conditioning for a request, from the context's cache when it has run this prompt before. */
export function conditioningFor(ctx: PipelineContext, request: ConditioningRequest): Promise<Conditioning> {
  return cachedConditioning(ctx.conditioningCache, ctx.manifest, request, () =>
    encodeConditioning(ctx.manifest, ctx.tokenizer, ctx.runner, request),
  );
}

export async function encodeConditioning(
  manifest: PackManifest,
  tokenizer: PromptTokenizer,
  runner: GraphRunner,
  request: ConditioningRequest,
): Promise<Conditioning> {
  const convention = manifest.text.unconditional;
  const positive = tokenizer.encode(request.prompt);
  const rows = [positive];
  const negative = request.negativePrompt.trim();
  let reuseMask = false;
  if (request.guided) {
    if (convention === 'empty-prompt' || (convention === 'zero-context' && negative)) {
      rows.push(tokenizer.encode(negative));
    } else if (convention === 'null-embedding' && negative) {
      const ids = tokenizer.encode(negative).slice(0, positive.length);
      ids[ids.length - 1] = positive[positive.length - 1]!; // force EOS last, as the original does
      rows.push(ids);
      reuseMask = true;
    }
  }
  const tokens = batchTokens(rows, manifest.text.padId, manifest.text.maxLength);
  if (reuseMask) tokens.mask.copyWithin(tokens.length, 0, tokens.length);
  const encoded = await encodeTokens(runner, request, tokens);
  const width = encoded.length / (tokens.rows * tokens.length);
  if (!request.guided) return { context: encoded, mask: tokens.mask, rows: 1, length: tokens.length, width };
  if (tokens.rows === 2) {
    const both = { context: encoded, mask: tokens.mask, rows: 2 as const, length: tokens.length, width };
    // diffusers encodes a negative prompt whole, then keeps only as many rows as the prompt has.
    return convention === 'zero-context' ? cutRows(both, promptRows(positive.length, manifest)) : both;
  }

  // Synthesised unconditional row.
  const context = new Float32Array(2 * tokens.length * width);
  context.set(encoded);
  const mask = new BigInt64Array(2 * tokens.length);
  mask.set(tokens.mask);
  if (convention === 'zero-context' && textPadding(manifest) === 'zero-before-projection') {
    const zero = await projectedZero(runner, request, manifest, encoded, tokens, positive.length);
    for (let i = 0; i < tokens.length; i++) context.set(zero, (tokens.length + i) * width);
  } else if (convention === 'null-embedding') {
    if (!request.nullEmbedding || request.nullEmbedding.length !== width) {
      throw new Error(`the pack's null embedding must have ${width} values`);
    }
    context.set(request.nullEmbedding, tokens.length * width);
    mask[tokens.length] = 1n;
  }
  return { context, mask, rows: 2, length: tokens.length, width };
}

async function encodeTokens(runner: GraphRunner, request: ConditioningRequest, tokens: TokenBatch) {
  const out = await runner.run(request.textComponent, {
    input_ids: int64(tokens.ids, [tokens.rows, tokens.length]),
    attention_mask: int64(tokens.mask, [tokens.rows, tokens.length]),
  });
  return asFloat32(out[request.contextOutput], request.contextOutput);
}

/** The rows a prompt of `count` tokens is cut to: its tokens and one padded row (§5.3). */
function promptRows(count: number, manifest: PackManifest): number {
  return Math.min(count + 1, manifest.text.maxLength);
}

function cutRows(c: Conditioning, length: number): Conditioning {
  if (length >= c.length) return c;
  const context = new Float32Array(c.rows * length * c.width);
  const mask = new BigInt64Array(c.rows * length);
  for (let r = 0; r < c.rows; r++) {
    context.set(c.context.subarray(r * c.length * c.width, (r * c.length + length) * c.width), r * length * c.width);
    mask.set(c.mask.subarray(r * c.length, r * c.length + length), r * length);
  }
  return { ...c, context, mask, length };
}

/** The U-Net's projection of a zero T5 row, which is every row of diffusers' unconditional context. A
 * prompt shorter than the longest has a padded row that holds exactly that; a prompt of the longest
 * length has none, and a one-token row is encoded for its padded row instead. (A row with every key
 * masked would do in fp32, but its attention has nothing to attend to.) */
async function projectedZero(
  runner: GraphRunner,
  request: ConditioningRequest,
  manifest: PackManifest,
  encoded: Float32Array,
  tokens: TokenBatch,
  promptLength: number,
): Promise<Float32Array> {
  const width = encoded.length / (tokens.rows * tokens.length);
  if (promptLength < tokens.length) return encoded.slice(promptLength * width, (promptLength + 1) * width);
  const padded = batchTokens([[manifest.text.padId]], manifest.text.padId, 2);
  return (await encodeTokens(runner, request, padded)).slice(width, 2 * width);
}

export function conditioningTensors(c: Conditioning) {
  return {
    context: float32(c.context, [c.rows, c.length, c.width]),
    context_mask: int64(c.mask, [c.rows, c.length]),
  };
}
