// WebGPU in Node, for the harness that runs the pipeline on a GPU outside a browser: Dawn's Node binding
// (npm `webgpu`) installed as navigator.gpu, where onnxruntime-web's WebGPU back end looks for it.
//
// Two things stand between Dawn and onnxruntime-web 1.30 out of the box:
// - onnxruntime-web's wasm is built with threads, so its heap is a SharedArrayBuffer even on one
//   thread, and its WebGPU back end uploads straight from a view of that heap. dawn.node refuses a
//   shared view in GPUQueue.writeBuffer ("Invalid argument"). Such views are copied first.
// - ORT's flash-attention shader assumes subgroups of 8 or more lanes; SwiftShader's have 4, and its
//   MultiHeadAttention then computes wrong values from 32 positions on. On an adapter whose subgroups
//   are narrower than 8, ORT is not offered the subgroup features, and takes its other kernels.
//
// Dawn finds the GPU through the Vulkan loader: on a machine without one, Debian's chromium package
// brings SwiftShader's Vulkan driver and the loader (see `swiftShaderEnvironment`).
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';

const NARROW_SUBGROUP_FEATURES = ['subgroups', 'subgroup-size-control'];
const CHROMIUM_LIB = '/usr/lib/chromium';

/** Environment for a child process that should find SwiftShader's Vulkan driver from Debian's chromium
 * package (the loader, libvulkan.so.1, is private to chromium there); null where it is not installed.
 * The dynamic loader reads LD_LIBRARY_PATH when a process starts, so it cannot be set from inside. */
export function swiftShaderEnvironment(): Record<string, string> | null {
  const icd = `${CHROMIUM_LIB}/vk_swiftshader_icd.json`;
  if (!existsSync(icd)) return null;
  const path = process.env.LD_LIBRARY_PATH;
  return { VK_ICD_FILENAMES: icd, LD_LIBRARY_PATH: path ? `${CHROMIUM_LIB}:${path}` : CHROMIUM_LIB };
}

type Writable = Parameters<GPUQueue['writeBuffer']>[2];

/** Installs Dawn as navigator.gpu (once per process) and returns its adapter's description. */
export async function installDawnWebGPU(): Promise<GPUAdapterInfo> {
  Object.assign(globalThis, globals);
  const queue = (globals as unknown as { GPUQueue: { prototype: GPUQueue } }).GPUQueue.prototype;
  const write = queue.writeBuffer;
  queue.writeBuffer = function (buffer, offset, data: Writable, dataOffset?: number, size?: number) {
    const shared = ArrayBuffer.isView(data)
      ? data.buffer instanceof SharedArrayBuffer
      : data instanceof SharedArrayBuffer;
    if (!shared) return write.call(this, buffer, offset, data, dataOffset, size);
    // dataOffset and size count elements of a typed array, bytes otherwise.
    const view = ArrayBuffer.isView(data) ? data : new Uint8Array(data);
    const unit = (view as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    const start = view.byteOffset + (dataOffset ?? 0) * unit;
    const length = size !== undefined ? size * unit : view.byteLength - (dataOffset ?? 0) * unit;
    const copy = new Uint8Array(length);
    copy.set(new Uint8Array(view.buffer, start, length));
    return write.call(this, buffer, offset, copy, 0, length);
  };
  const gpu = create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter)
    throw new Error('Dawn found no WebGPU adapter (is a Vulkan driver installed, and VK_ICD_FILENAMES set?)');
  // Patched on the prototype, so it holds for the adapter ORT asks for itself; each adapter is judged by
  // its own subgroup width.
  const adapterProto = Object.getPrototypeOf(adapter) as GPUAdapter;
  const requestDevice = adapterProto.requestDevice;
  adapterProto.requestDevice = function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
    const narrow = (this.info as GPUAdapterInfo & { subgroupMinSize?: number }).subgroupMinSize;
    if (narrow === undefined || narrow >= 8) return requestDevice.call(this, descriptor);
    const features = [...(descriptor?.requiredFeatures ?? [])].filter((f) => !NARROW_SUBGROUP_FEATURES.includes(f));
    return requestDevice.call(this, { ...descriptor, requiredFeatures: features });
  };
  (globalThis as { navigator?: unknown }).navigator = { gpu };
  return adapter.info;
}

/** Lets the process exit: Dawn keeps it alive while navigator.gpu is referenced (the package's README). */
export function uninstallDawnWebGPU(): void {
  delete (globalThis as { navigator?: unknown }).navigator;
}
