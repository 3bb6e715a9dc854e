// A pack the user picked from disk (file picker or drag-and-drop): its manifest.json and the files it
// lists. The bytes are verified and stored like a download, so the pack stays usable after the page
// closes, without picking the files again.
import { PackLoadError } from '../../shared/errors';
import { InvalidManifestError, parseManifest, type PackFile, type PackManifest } from './manifest';
import type { PackSource } from './pack-source';
import { sha256Hex } from './sha256';

/** A picked file with its path inside the picked folder ("" prefix when single files were picked). */
export interface LocalFile {
  path: string;
  file: File;
}

export class FilesPackSource implements PackSource {
  private constructor(
    readonly id: string,
    private readonly manifest: PackManifest,
    private readonly byPath: Map<string, File>,
  ) {}

  /** Finds manifest.json among the files (the shallowest one) and matches the files it lists. */
  static async open(files: LocalFile[]): Promise<FilesPackSource> {
    const manifests = files.filter((f) => f.path.split('/').pop() === 'manifest.json');
    manifests.sort((a, b) => a.path.split('/').length - b.path.split('/').length);
    const entry = manifests[0];
    if (!entry) {
      throw new PackLoadError(
        `None of the ${files.length} chosen files is a manifest.json. Choose the pack's folder, or its manifest.json ` +
          'together with the files it lists.',
      );
    }
    const text = await entry.file.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new InvalidManifestError([`${entry.path} is not JSON`]);
    }
    const manifest = parseManifest(json);
    const base = entry.path.slice(0, entry.path.length - 'manifest.json'.length);
    const byPath = new Map<string, File>();
    for (const f of files) {
      if (f.path.startsWith(base)) byPath.set(f.path.slice(base.length), f.file);
    }
    const missing = manifest.files.filter((f) => !byPath.has(f.path)).map((f) => f.path);
    if (missing.length > 0) {
      throw new PackLoadError(
        `The chosen files lack ${missing.length} that ${manifest.name} needs: ${missing.join(', ')}. ` +
          'Choose the whole pack folder (or drop it here).',
      );
    }
    const digest = await sha256Hex(new TextEncoder().encode(text));
    return new FilesPackSource(`local:${manifest.name}:${digest.slice(0, 16)}`, manifest, byPath);
  }

  async readManifest(): Promise<PackManifest> {
    return this.manifest;
  }

  async openRange(file: PackFile, start: number, end: number): Promise<ReadableStream<Uint8Array>> {
    const picked = this.byPath.get(file.path)!;
    if (picked.size !== file.bytes) {
      throw new PackLoadError(
        `${file.path} has ${picked.size} bytes but the manifest says ${file.bytes}: the pack folder is incomplete or ` +
          'was changed. Re-export or copy it again.',
      );
    }
    return picked.slice(start, end).stream();
  }
}

/** A local pack stored earlier: its manifest is kept, and only files not stored (deleted) are missing. */
export class StoredLocalPackSource implements PackSource {
  constructor(
    readonly id: string,
    private readonly manifest: PackManifest,
  ) {}

  async readManifest(): Promise<PackManifest> {
    return this.manifest;
  }

  async openRange(file: PackFile): Promise<ReadableStream<Uint8Array>> {
    throw new PackLoadError(
      `${file.path} of ${this.manifest.name} is no longer stored on this device. Open the pack's folder again to restore it.`,
    );
  }
}
