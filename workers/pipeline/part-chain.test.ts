import { describe, expect, it } from 'vitest';
import type { PackComponent, TensorSpec } from '../pack/manifest';
import { float32, type TensorData } from './graph-runner';
import { runComponent, type Tensors } from './part-chain';

const spec = (name: string): TensorSpec => ({ name, dtype: 'float32', shape: [1] });
const scalar = (v: number) => float32(Float32Array.of(v), [1]);
const value = (t: TensorData | undefined): number => Number(t!.data[0]!);

// A U-Net in miniature: part 0 keeps a skip that part 2 takes; part 1 runs in between.
const component: PackComponent = {
  role: 'unet',
  variants: {},
  inputs: [spec('sample'), spec('t')],
  outputs: [spec('model_output')],
  parts: [
    { inputs: [spec('sample'), spec('t')], outputs: [spec('x.0'), spec('skip_0.0')] },
    { inputs: [spec('x.0'), spec('t')], outputs: [spec('x.1')] },
    { inputs: [spec('x.1'), spec('skip_0.0')], outputs: [spec('model_output')] },
  ],
};

describe('runComponent', () => {
  it('feeds each part only what it names, from the inputs and earlier parts, and returns the outputs', async () => {
    const fed: string[][] = [];
    const graphs = [
      (f: Tensors) => ({ 'x.0': scalar(value(f.sample) + value(f.t)), 'skip_0.0': scalar(10 * value(f.sample)) }),
      (f: Tensors) => ({ 'x.1': scalar(value(f['x.0']) * value(f.t)) }),
      (f: Tensors) => ({ model_output: scalar(value(f['x.1']) - value(f['skip_0.0'])) }),
    ];
    const out = await runComponent(component, { sample: scalar(2), t: scalar(3) }, async (index, feeds) => {
      fed.push(Object.keys(feeds));
      return graphs[index]!(feeds);
    });
    expect(fed).toEqual([
      ['sample', 't'],
      ['x.0', 't'],
      ['x.1', 'skip_0.0'],
    ]);
    expect(Object.keys(out)).toEqual(['model_output']);
    expect(value(out.model_output)).toBe((2 + 3) * 3 - 20);
  });

  it('runs an unsplit component as one graph call with all its feeds', async () => {
    const whole: PackComponent = { ...component, parts: undefined };
    const calls: number[] = [];
    const out = await runComponent(whole, { sample: scalar(1), t: scalar(1) }, async (index) => {
      calls.push(index);
      return { model_output: scalar(7) };
    });
    expect(calls).toEqual([0]);
    expect(value(out.model_output)).toBe(7);
  });

  it('names the tensor a part needs when nothing provided it', async () => {
    const run = runComponent(component, { sample: scalar(1), t: scalar(1) }, async (index) =>
      index === 0 ? ({ 'x.0': scalar(1) } as Tensors) : ({ 'x.1': scalar(1) } as Tensors),
    );
    await expect(run).rejects.toThrow('part 2 of the graph needs skip_0.0, which nothing provided');
  });
});
