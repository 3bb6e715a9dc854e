// Per-prompt cache of the text encoder's output, so a repeated prompt skips the encoder. For the
// full-size model that encoder is Flan-UL2 (8.6B parameters, streamed in layer groups): by far the
// slowest stage of a repeat generation. The key covers everything the output depends on: the pack's
// weights, the component and output, the unconditional convention and where padded rows are zeroed,
// how the rows are built (CONDITIONING_RULES), both prompts and guidance.
import { textPadding, type PackManifest } from '../pack/manifest';
import type { Conditioning, ConditioningRequest } from './conditioning';

export interface ConditioningCache {
  get(key: string): Promise<Conditioning | undefined>;
  set(key: string, value: Conditioning): Promise<void>;
}

/** Bumped when text-conditioning.ts builds rows differently for the same pack and prompts (2: diffusers'
 * unconditional rows and negative-prompt cut), so entries stored by an older app are not reused. */
const CONDITIONING_RULES = 2;

export async function conditioningKey(manifest: PackManifest, request: ConditioningRequest): Promise<string> {
  const identity = JSON.stringify([
    manifest.weightsDigest ?? manifest.name,
    request.textComponent,
    request.contextOutput,
    manifest.text.unconditional,
    textPadding(manifest),
    CONDITIONING_RULES,
    request.prompt,
    request.negativePrompt,
    request.guided,
  ]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(identity));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The cached conditioning, or `encode()`'s, stored for next time. A cache that fails (quota, a
 * private window without IndexedDB) costs only the speed-up: generation never fails because of it. */
export async function cachedConditioning(
  cache: ConditioningCache | undefined,
  manifest: PackManifest,
  request: ConditioningRequest,
  encode: () => Promise<Conditioning>,
): Promise<Conditioning> {
  if (!cache) return encode();
  const key = await conditioningKey(manifest, request);
  const hit = await cache.get(key).catch(() => undefined);
  if (hit) return hit;
  const value = await encode();
  await cache.set(key, value).catch(() => {});
  return value;
}
