// Which files of a pack this browser needs: the graphs of one weight format (every component, so the
// pack works offline, inpainting included), the tokenizer, and the null embedding if there is one.
import type { WeightFormat } from './manifest';
import type { PackFile, PackManifest } from './manifest';

export function fileOf(manifest: PackManifest, path: string): PackFile {
  const entry = manifest.files.find((f) => f.path === path);
  if (!entry) throw new Error(`${path} is not in the manifest`); // parseManifest checks every reference
  return entry;
}

/** The graph file of a component in a weight format (chooseBackend picks one every component has). */
export function graphFile(manifest: PackManifest, component: string, variant: WeightFormat): PackFile {
  return fileOf(manifest, manifest.components[component]!.variants[variant]!.file);
}

export function filesToDownload(manifest: PackManifest, variant: WeightFormat): PackFile[] {
  const paths = new Set<string>([
    manifest.text.tokenizer,
    ...(manifest.text.nullEmbedding ? [manifest.text.nullEmbedding] : []),
    ...Object.values(manifest.components).map((c) => c.variants[variant]!.file),
  ]);
  return [...paths].map((path) => fileOf(manifest, path));
}
