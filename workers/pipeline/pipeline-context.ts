// What every pipeline stage runs with: the loaded pack, its tokenizer and graph runner, and the
// worker's hooks (cancel, prompt cache). Built once per loaded pack.
import type { PackManifest } from '../../shared/pack-manifest';
import type { ConditioningCache } from './conditioning-cache';
import type { GraphRunner } from './graph-runner';
import type { PromptTokenizer } from './prompt-tokenizer';

export interface PipelineContext {
  manifest: PackManifest;
  tokenizer: PromptTokenizer;
  runner: GraphRunner;
  nullEmbedding?: Float32Array;
  /** Polled between steps: true once the user cancelled (cooperative cancel). */
  stopRequested?: () => boolean;
  /** Text encoder outputs of earlier prompts (IndexedDB in the worker). */
  conditioningCache?: ConditioningCache;
}
