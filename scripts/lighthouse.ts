// Lighthouse on the built app, served by `vite preview`, driving Debian's Chromium: performance,
// accessibility and best practices, at Lighthouse's default (a mid-range phone on a slow 4G link,
// simulated) and at its desktop preset. Prints the scores as a Markdown table and writes them to
// docs/lighthouse.json. Run with `npm run lighthouse` (it builds first).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { launch } from 'chrome-launcher';
import lighthouse, { desktopConfig, type Config } from 'lighthouse';
import { chromiumArgs, chromiumPath } from '../e2e/chromium-launch';

const PORT = 4176;
const URL_UNDER_TEST = `http://127.0.0.1:${PORT}/`;
const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
// The bar: what each score must reach.
const GOALS: Record<(typeof CATEGORIES)[number], number> = { performance: 90, accessibility: 95, 'best-practices': 95 };

async function serve(): Promise<() => void> {
  const server = spawn(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'preview', '--port', String(PORT), '--strictPort'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(URL_UNDER_TEST).then(
        (r) => r.ok,
        () => false,
      )
    )
      return () => server.kill();
    await new Promise((r) => setTimeout(r, 200));
  }
  server.kill();
  throw new Error(`vite preview did not start on port ${PORT} (is dist/ built? npm run lighthouse builds it)`);
}

async function main() {
  const stop = await serve();
  const chrome = await launch({
    chromePath: chromiumPath,
    chromeFlags: ['--headless=new', ...chromiumArgs.filter((flag) => flag !== '--enable-unsafe-webgpu')],
  });
  const rows: { preset: string; scores: Record<string, number> }[] = [];
  try {
    for (const [preset, config] of [
      ['mobile (default)', undefined],
      ['desktop', desktopConfig],
    ] as [string, Config | undefined][]) {
      const result = await lighthouse(
        URL_UNDER_TEST,
        { port: chrome.port, onlyCategories: [...CATEGORIES], logLevel: 'error' },
        config,
      );
      if (!result) throw new Error('Lighthouse returned no result');
      const scores = Object.fromEntries(
        CATEGORIES.map((c) => [c, Math.round((result.lhr.categories[c]?.score ?? 0) * 100)]),
      );
      rows.push({ preset, scores });
      const failing = Object.values(result.lhr.audits).filter(
        (a) =>
          a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'manual',
      );
      for (const audit of failing)
        console.error(`  ${preset}: ${audit.id} ${audit.displayValue ?? ''} (${audit.score})`);
    }
  } finally {
    chrome.kill();
    stop();
  }
  console.log(`| Lighthouse ${new Date().toISOString().slice(0, 10)} | ${CATEGORIES.join(' | ')} |`);
  console.log(`|---|${CATEGORIES.map(() => '---:').join('|')}|`);
  for (const row of rows) console.log(`| ${row.preset} | ${CATEGORIES.map((c) => row.scores[c]).join(' | ')} |`);
  writeFileSync('docs/lighthouse.json', `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`);
  const missed = rows.flatMap((row) =>
    CATEGORIES.filter((c) => row.scores[c]! < GOALS[c]).map((c) => `${row.preset} ${c} ${row.scores[c]} < ${GOALS[c]}`),
  );
  if (missed.length > 0) {
    console.error(`Below the goals: ${missed.join('; ')}`);
    process.exitCode = 1;
  }
}

await main();
