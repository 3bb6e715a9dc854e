// One picture of the gallery: the picture itself opens it; the menu beside it holds the rest.
import * as Menu from '@radix-ui/react-dropdown-menu';
import { useEffect, useMemo } from 'react';
import { deleteHistoryEntry, historyImage } from '../../history-actions';
import type { HistoryEntry } from '../../history/history-store';
import { downloadBlob, withParameters } from '../../png/png-file';
import { useAppStore } from '../../store';

function Thumbnail({ entry }: { entry: HistoryEntry }) {
  const url = useMemo(() => URL.createObjectURL(entry.png), [entry.png]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  // Drawn at the picture's own shape (the grid cell fits it), scaled up without smoothing.
  return <img src={url} width={entry.width} height={entry.height} alt="" className="thumbnail" />;
}

async function open(entry: HistoryEntry) {
  const image = await historyImage(entry, (useAppStore.getState().image?.id ?? 0) + 1);
  const s = useAppStore.getState();
  s.setEngine({ image, batch: [] });
  s.setLayout({ mode: 'create' });
  s.closeCanvas();
}

function reuse(entry: HistoryEntry) {
  const s = useAppStore.getState();
  const { model: _model, sampler, upscale: _upscale, ...rest } = entry.parameters;
  void _model;
  void _upscale;
  if (s.pack?.samplers.some((offered) => offered.name === sampler)) s.setSampler(sampler);
  s.setParams(rest);
  s.showToast(`Settings of seed ${entry.parameters.seed} are in the form`);
}

async function download(entry: HistoryEntry) {
  const embed = useAppStore.getState().embedParameters;
  const png = await withParameters(entry.png, embed ? entry.parameters : null);
  downloadBlob(png, `kandinsky-${entry.parameters.model}-${entry.parameters.seed}.png`);
}

/** Copy says how it went: "Copied", or why not (a browser without image clipboard, a denied permission). */
async function copy(entry: HistoryEntry) {
  const { embedParameters, showToast } = useAppStore.getState();
  try {
    const png = await withParameters(entry.png, embedParameters ? entry.parameters : null);
    await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })]);
    showToast('Copied');
  } catch (e) {
    showToast(`Not copied: ${(e as Error).message || 'the browser refused'}`);
  }
}

async function toCanvas(entry: HistoryEntry) {
  const s = useAppStore.getState();
  // The canvas works at the model's size: an enlarged entry opens as the picture it was made from,
  // shown enlarged.
  const image = await historyImage(entry, 0);
  s.openCanvas({ width: image.width, height: image.height, pixels: image.pixels }, image.upscaled);
  s.setLayout({ mode: 'create' });
}

export function HistoryItem({ entry }: { entry: HistoryEntry }) {
  const { prompt, seed } = entry.parameters;
  const name = `${prompt || '(no prompt)'}, seed ${seed}`;
  return (
    <li data-testid="history-entry" data-seed={seed} title={name}>
      <button type="button" className="thumb-button" onClick={() => void open(entry)} aria-label={`Open ${name}`}>
        <Thumbnail entry={entry} />
      </button>
      <Menu.Root modal={false}>
        <Menu.Trigger className="item-menu" aria-label={`Actions for seed ${seed}`}>
          ⋯
        </Menu.Trigger>
        <Menu.Portal>
          <Menu.Content className="menu" align="end" sideOffset={4} collisionPadding={8}>
            <Menu.Item className="menu-item" onSelect={() => void download(entry)}>
              Download
            </Menu.Item>
            <Menu.Item className="menu-item" onSelect={() => void copy(entry)}>
              Copy
            </Menu.Item>
            <Menu.Item className="menu-item" onSelect={() => reuse(entry)}>
              Reuse settings
            </Menu.Item>
            <Menu.Item className="menu-item" onSelect={() => void toCanvas(entry)}>
              Edit on canvas
            </Menu.Item>
            <Menu.Separator className="menu-separator" />
            <Menu.Item className="menu-item danger" onSelect={() => void deleteHistoryEntry(entry.id)}>
              Delete
            </Menu.Item>
          </Menu.Content>
        </Menu.Portal>
      </Menu.Root>
    </li>
  );
}
