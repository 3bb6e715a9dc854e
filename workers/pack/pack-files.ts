// Which files of a pack this browser needs: the graphs of one weight format (every component, so the
// pack works offline, inpainting included), the tokenizer, and the null embedding if there is one.
import { variantFiles, variantPackFiles, type WeightFormat } from './manifest';
import type { PackFile, PackManifest } from './manifest';

export function fileOf(manifest: PackManifest, path: string): PackFile {
  const entry = manifest.files.find((f) => f.path === path);
  if (!entry) throw new Error(`${path} is not in the manifest`); // parseManifest checks every reference
  return entry;
}

/** The graph files of a component in a weight format (one, or one per part), in running order
 * (chooseBackend picks a format every component has). */
export function graphFiles(manifest: PackManifest, component: string, variant: WeightFormat): PackFile[] {
  return variantFiles(manifest.components[component]!.variants[variant]!).map((path) => fileOf(manifest, path));
}

/** Every file of a component in a weight format: its graph files and the weights kept beside a graph. */
export function componentFiles(manifest: PackManifest, component: string, variant: WeightFormat): PackFile[] {
  return variantPackFiles(manifest.components[component]!.variants[variant]!).map((path) => fileOf(manifest, path));
}

/** The files whose weights a component holds in memory at once: all of them, or for a streamed one
 * (loaded a part at a time) its largest part. */
export function residentFiles(manifest: PackManifest, component: string, variant: WeightFormat): PackFile[] {
  if (manifest.components[component]!.residency !== 'streamed') return componentFiles(manifest, component, variant);
  return [graphFiles(manifest, component, variant).reduce((a, b) => (b.bytes > a.bytes ? b : a))];
}

export function filesToDownload(manifest: PackManifest, variant: WeightFormat): PackFile[] {
  const paths = new Set<string>([
    manifest.text.tokenizer,
    ...(manifest.text.nullEmbedding ? [manifest.text.nullEmbedding] : []),
    ...Object.keys(manifest.components).flatMap((id) => componentFiles(manifest, id, variant).map((f) => f.path)),
  ]);
  return [...paths].map((path) => fileOf(manifest, path));
}
