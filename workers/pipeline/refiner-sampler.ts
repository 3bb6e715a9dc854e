// Flash as a refiner (the released Flash model also refined Kandinsky 3.0 outputs,
// kandinsky3-architecture §7.1): the base U-Net, guided, lays out the picture over the noisy part of
// the schedule, and the distilled U-Net finishes it at its late timesteps, where it is sharpest.
//
// The user's steps are the base U-Net's, spread evenly from t = T − 1 down to the hand-over timestep
// (the first of Flash's late timesteps); the last base step hands its clipped x̂₀ to Flash, which
// noises it to each of its timesteps in turn, as a Flash run does with its own estimate.
import { ancestralSampler, processX0 } from './ancestral-sampler';
import { flashSampler } from './flash-sampler';
import { predictX0 } from './prediction';
import type { Sampler, SamplerSetup } from './sampler';

/** Flash's timesteps the refiner keeps: the later half (479 and 229 of the four). */
export function refinerFlashTimesteps(flashTimesteps: readonly number[]): number[] {
  return flashTimesteps.slice(Math.floor(flashTimesteps.length / 2));
}

/** The base U-Net's [t, prev] pairs: `steps` timesteps evenly from T − 1 to just above the hand-over. */
export function refinerBaseGrid(steps: number, handOver: number, numTrainTimesteps: number): [number, number][] {
  const top = numTrainTimesteps - 1;
  const times = Array.from({ length: steps }, (_, j) => Math.round(top - (j * (top - handOver)) / steps));
  return times.map((t, j) => [t, times[j + 1] ?? handOver]);
}

export function refinerSampler(setup: SamplerSetup): Sampler {
  const late = refinerFlashTimesteps(setup.flashTimesteps);
  const grid = refinerBaseGrid(setup.steps, late[0]!, setup.alphas.length);
  const clip = { kind: 'clip', range: setup.clipRange } as const;
  const base = ancestralSampler(setup, grid, clip);
  const flash = flashSampler(setup, late);
  const handOver = grid.length - 1;
  const predictionType = setup.predictionType('base');
  return {
    timesteps: [...base.timesteps, ...flash.timesteps],
    addNoise: (latent, noise, from) =>
      from <= handOver ? base.addNoise(latent, noise, from) : flash.addNoise(latent, noise, from - grid.length),
    modelInput: (state, i, random) =>
      i <= handOver ? base.modelInput(state, i, random) : flash.modelInput(state, i - grid.length, random),
    step: (input, output, i, random) => {
      if (i > handOver) return flash.step(input, output, i - grid.length, random);
      if (i < handOver) return base.step(input, output, i, random);
      // The hand-over: Flash's state is an estimate of x̂₀, clipped as the base sampler clips it.
      const x0 = processX0(
        predictX0(input, output, setup.alphas[grid[i]![0]]!, predictionType),
        setup.sampleSize,
        clip,
      );
      return { state: x0, x0 };
    },
  };
}
