// The page `npm run bench` drives: the real engine on the nano pack, with what the benchmark reads
// from it (each image's graph calls, the sessions' compile times and ORT's wasm heap).
import { expect, test } from '@playwright/test';

test('the benchmark page times a real image and reports the graph calls, sessions and wasm heap', async ({ page }) => {
  await page.goto('/bench.html');
  await page.waitForFunction(() => 'kandinskyBench' in window);
  const result = await page.evaluate(async () => {
    const bench = window.kandinskyBench;
    const load = await bench.load('/models/kandinsky3-nano/manifest.json', 'wasm');
    const image = await bench.generate({
      prompt: 'grinning face, noto style',
      negativePrompt: '',
      seed: 1,
      sampler: 'flash',
      steps: 4,
      guidance: 0,
      width: 64,
      height: 64,
    });
    return { load, image, diagnostics: await bench.diagnostics() };
  });
  const { load, image, diagnostics } = result;
  expect(load.filesMs + load.sessionsMs).toBeCloseTo(load.ms, 0);
  expect(load.pack.backend.ep).toBe('wasm');
  expect(image.timings.runs.map((r) => r.component)).toEqual([
    'text_encoder',
    ...Array(4).fill('unet_flash'),
    'movq_decoder',
  ]);
  const inGraphs = image.timings.runs.reduce((sum, r) => sum + r.ms, 0);
  expect(inGraphs).toBeGreaterThan(0);
  expect(image.ms).toBeGreaterThanOrEqual(inGraphs); // the page waits for the calls and more
  expect(image.meanPixel).toBeGreaterThan(0);
  // The eager sessions, in order, each with its compile time and the heap it grew; the int8 weights of
  // these small graphs are folded to fp32 once (workers/runtime/session-options.ts).
  expect(diagnostics.sessions.map((s) => s.component)).toEqual(['text_encoder', 'unet_flash', 'movq_decoder']);
  for (const s of diagnostics.sessions) {
    expect(s.createMs).toBeGreaterThan(0);
    expect(s.weightsFolded).toBe(true);
    expect(s.wasmHeapBytesAfter).toBeGreaterThanOrEqual(s.wasmHeapBytesBefore ?? 0);
  }
  // ORT's heap, seen through the tracked WebAssembly.Memory: more than the 16 MiB it starts with.
  expect(diagnostics.wasmHeapBytes).toBeGreaterThan(16 * 2 ** 20);
});

test('a split pack runs part after part: U-Net parts stay loaded, text-encoder parts load per prompt and go', async ({
  page,
}) => {
  await page.goto('/bench.html');
  await page.waitForFunction(() => 'kandinskyBench' in window);
  const result = await page.evaluate(async () => {
    const bench = window.kandinskyBench;
    const manifest = await (await fetch('/models/kandinsky3-tiny-random/manifest.json')).json();
    await bench.load('/models/kandinsky3-tiny-random/manifest.json', 'wasm');
    const afterLoad = (await bench.diagnostics()).sessions;
    const params = {
      prompt: 'a red apple',
      negativePrompt: '',
      seed: 1,
      sampler: 'flash' as const,
      steps: 4,
      guidance: 0,
      width: 64,
      height: 64,
    };
    const first = await bench.generate(params);
    const second = await bench.generate({ ...params, prompt: 'a blue whale' });
    const afterTwo = (await bench.diagnostics()).sessions;
    return {
      parts: {
        text: manifest.components.text_encoder.parts.length as number,
        unet: manifest.components.unet_flash.parts.length as number,
      },
      afterLoad: afterLoad.map((s) => s.file),
      afterTwo: afterTwo.map((s) => s.file),
      runs: [first, second].map((image) => image.timings.runs.map((r) => r.component)),
      encodeProgress: [first.encodeProgress, second.encodeProgress],
      meanPixels: [first.meanPixel, second.meanPixel],
    };
  });
  const { parts } = result;
  expect(parts.text).toBeGreaterThan(1);
  expect(parts.unet).toBeGreaterThan(1);
  // Loading creates every U-Net part and the decoder, and no text-encoder part.
  const unetFiles = result.afterLoad.filter((f) => f.startsWith('unet_flash.part'));
  expect(unetFiles.map((f) => f.split('.')[1])).toEqual([...Array(parts.unet).keys()].map((i) => `part${i}`));
  expect(result.afterLoad.some((f) => f.startsWith('text_encoder'))).toBe(false);
  // Each new prompt creates the text encoder's parts in order (and releases them); the U-Net's are reused.
  const textFiles = result.afterTwo.filter((f) => f.startsWith('text_encoder'));
  const onePass = [...Array(parts.text).keys()].map((i) => `part${i}`);
  expect(textFiles.map((f) => f.split('.')[1])).toEqual([...onePass, ...onePass]);
  expect(result.afterTwo.filter((f) => f.startsWith('unet_flash'))).toEqual(unetFiles);
  // The status line can say which part is loading: "Reading the prompt (text encoder part 2 of 2)".
  const partEvents = onePass.map((_, part) => ({ phase: 'encode', part, parts: parts.text }));
  for (const events of result.encodeProgress) expect(events).toEqual([{ phase: 'encode' }, ...partEvents]);
  // One timing per component call, however many parts it has.
  for (const runs of result.runs)
    expect(runs).toEqual(['text_encoder', ...Array(4).fill('unet_flash'), 'movq_decoder']);
  for (const mean of result.meanPixels) expect(mean).toBeGreaterThan(0);
});
