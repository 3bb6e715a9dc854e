// Prompt (and negative prompt) → the context and mask rows for one U-Net, in the unconditional
// convention the pack's manifest names (kandinsky3-architecture §5.4):
// - empty-prompt: the negative prompt (or "") is encoded like a prompt (how the nano packs train);
// - zero-context: zeros with an all-zero mask, or the encoded negative prompt (diffusers);
// - null-embedding: zeros with row 0 = the pack's null embedding and mask [1, 0, …]; a negative prompt
//   is cut to the prompt's token count, ends in EOS and reuses the prompt's mask (original 3.1).
// Row 0 is the conditional branch, row 1 (when guidance is on) the unconditional one.
import type { PackManifest } from '../pack/manifest';
import type { Conditioning, ConditioningRequest } from './conditioning';
import { cachedConditioning } from './conditioning-cache';
import type { PipelineContext } from './pipeline-context';
import { asFloat32, float32, int64, type GraphRunner } from './graph-runner';
import { batchTokens, type PromptTokenizer } from './prompt-tokenizer';

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
  const out = await runner.run(request.textComponent, {
    input_ids: int64(tokens.ids, [tokens.rows, tokens.length]),
    attention_mask: int64(tokens.mask, [tokens.rows, tokens.length]),
  });
  const encoded = asFloat32(out[request.contextOutput], request.contextOutput);
  const width = encoded.length / (tokens.rows * tokens.length);
  if (!request.guided) return { context: encoded, mask: tokens.mask, rows: 1, length: tokens.length, width };
  if (tokens.rows === 2) return { context: encoded, mask: tokens.mask, rows: 2, length: tokens.length, width };

  // Synthesised unconditional row.
  const context = new Float32Array(2 * tokens.length * width);
  context.set(encoded);
  const mask = new BigInt64Array(2 * tokens.length);
  mask.set(tokens.mask);
  if (convention === 'null-embedding') {
    if (!request.nullEmbedding || request.nullEmbedding.length !== width) {
      throw new Error(`the pack's null embedding must have ${width} values`);
    }
    context.set(request.nullEmbedding, tokens.length * width);
    mask[tokens.length] = 1n;
  }
  return { context, mask, rows: 2, length: tokens.length, width };
}

export function conditioningTensors(c: Conditioning) {
  return {
    context: float32(c.context, [c.rows, c.length, c.width]),
    context_mask: int64(c.mask, [c.rows, c.length]),
  };
}
