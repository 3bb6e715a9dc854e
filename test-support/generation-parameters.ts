// Generation parameters for tests that store or stage an image: a Flash image of the given size.
import type { GenerationParameters } from '../src/png/generation-parameters';

export function flashParameters(width: number, height: number): GenerationParameters {
  return {
    prompt: 'red apple',
    negativePrompt: '',
    seed: 1,
    steps: 4,
    guidance: 0,
    sampler: 'flash',
    width,
    height,
    model: 'kandinsky3-nano',
  };
}
