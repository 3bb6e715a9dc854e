// What the UI asks of the engine, and how answers and errors land in the store.
import type { GenerateParams, Progress, StoredPack } from '../workers/engine-api';
import { Comlink, engine, onEngineCrash, restartEngine } from './engine-client';
import { useAppStore } from './store';
import { readUrlOptions } from './url-options';

const store = useAppStore;

function errorOf(e: unknown): { name: string; message: string } {
  const error = e as { name?: string; message?: string };
  return { name: error?.name ?? 'Error', message: error?.message ?? String(e) };
}

const onProgress = Comlink.proxy((progress: Progress) => store.getState().setEngine({ progress }));

onEngineCrash((message) =>
  store.getState().setEngine({
    status: 'error',
    progress: null,
    error: {
      name: 'EngineCrashedError',
      message: `The engine stopped: ${message}. Reload the page to start it again.`,
    },
  }),
);

export async function loadPack(): Promise<void> {
  const { ep, pack, simulateMissing } = readUrlOptions(location.search);
  store.getState().setEngine({ status: 'loading', error: null, progress: null });
  try {
    const loaded = await engine().load(pack, { ep, simulateMissing }, onProgress);
    store.getState().applyPackDefaults(loaded);
    store.getState().setEngine({ status: 'ready', pack: loaded, progress: null });
    // Ask the browser not to evict stored weights under storage pressure (Window-only API; the browser
    // may say no, e.g. headless Chromium, and then the store is simply best-effort).
    void navigator.storage?.persist?.().catch(() => false);
  } catch (e) {
    const error = errorOf(e);
    store
      .getState()
      .setEngine({ status: error.name === 'BackendUnavailableError' ? 'unsupported' : 'error', error, progress: null });
  }
}

export function listStoredPacks(): Promise<StoredPack[]> {
  return engine().listStoredPacks();
}

export function deleteStoredPack(url: string): Promise<void> {
  return engine().deleteStoredPack(url);
}

export async function generateImage(): Promise<void> {
  const s = store.getState();
  if (s.status !== 'ready' && s.status !== 'error') return;
  if (!s.pack) return;
  const params: GenerateParams = {
    prompt: s.prompt,
    negativePrompt: s.negativePrompt,
    seed: s.seed,
    sampler: s.sampler,
    steps: s.steps,
    guidance: s.guidance,
    width: s.width,
    height: s.height,
  };
  s.setEngine({ status: 'generating', error: null, progress: null });
  try {
    const image = await engine().generate(params, onProgress);
    store.getState().setEngine({
      status: 'ready',
      progress: null,
      image: {
        id: (store.getState().image?.id ?? 0) + 1,
        width: image.width,
        height: image.height,
        pixels: image.pixels,
        seed: image.seed,
        totalMs: image.timings.totalMs,
      },
    });
  } catch (e) {
    const error = errorOf(e);
    store.getState().setEngine({ status: 'error', error, progress: null });
    if (error.name === 'GpuDeviceLostError') {
      // A fresh worker gets a fresh GPU device; reload the pack on it and keep the error visible.
      restartEngine();
      await loadPack();
      store.getState().setEngine({ error });
    }
  }
}
