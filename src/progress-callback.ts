// The one progress callback the worker is handed: what it reports becomes the status line's news.
import type { Progress } from '../shared/engine-api';
import { Comlink } from './engine-client';
import { useAppStore } from './store';

export const onProgress = Comlink.proxy((progress: Progress) => useAppStore.getState().setEngine({ progress }));
