// Running a component whose graph is split into parts (a full-size U-Net or text encoder; see
// model/export/graph_parts.py). The parts share one table of named tensors: each is fed the inputs it
// names, its outputs join the table, and a tensor is dropped after the last part that reads it, so a
// 12 GB model's skips and features are held no longer than needed. An unsplit component is one call.
import type { PackComponent } from '../pack/manifest';
import type { TensorData } from './graph-runner';

export type Tensors = Record<string, TensorData>;

/** Runs `component` on `feeds`; `runPart(index, feeds)` runs one graph (index 0 for an unsplit one). */
export async function runComponent(
  component: PackComponent,
  feeds: Tensors,
  runPart: (index: number, feeds: Tensors) => Promise<Tensors>,
): Promise<Tensors> {
  const parts = component.parts;
  if (!parts) return runPart(0, feeds);
  const outputs = new Set(component.outputs.map((t) => t.name));
  const lastRead = new Map<string, number>();
  parts.forEach((part, index) => part.inputs.forEach((t) => lastRead.set(t.name, index)));
  const table = new Map(Object.entries(feeds));
  for (const [index, part] of parts.entries()) {
    const partFeeds: Tensors = {};
    for (const { name } of part.inputs) {
      const tensor = table.get(name);
      if (!tensor) throw new Error(`part ${index} of the graph needs ${name}, which nothing provided`);
      partFeeds[name] = tensor;
    }
    for (const [name, tensor] of Object.entries(await runPart(index, partFeeds))) table.set(name, tensor);
    for (const name of table.keys()) {
      if (!outputs.has(name) && (lastRead.get(name) ?? -1) <= index) table.delete(name);
    }
  }
  return Object.fromEntries([...outputs].map((name) => [name, table.get(name)!]));
}
