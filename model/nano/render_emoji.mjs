// Renders Iconify emoji sets to square RGBA PNGs for the nano data set (model/nano/dataset.py).
//
//   node model/nano/render_emoji.mjs <jobs.json>
//
// jobs.json: { "size": 256, "sets": [{ "icons": "<path to an Iconify icons.json>", "out": "<folder>",
//              "items": [["<file stem>", "<icon name>"], ...] }] }
//
// Iconify's own utilities resolve aliases (some are mirrored copies of another icon) and build the
// SVG; resvg rasterises it, gradients and all, which the browser-free Python side cannot do well.
// Pictures already rendered are kept, so a rebuild only renders what is new.
//
// resvg aborts the whole process on a few malformed drawings (a Rust panic cannot be caught here), so
// each icon's name is written to jobs.trace first: the caller reads which one it was, lists it in
// jobs.skip, and runs the renderer again.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getIconData, iconToHTML, iconToSVG } from '@iconify/utils';
import { Resvg } from '@resvg/resvg-js';

const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let rendered = 0;
let kept = 0;
const missing = [];
const skip = new Set(jobs.skip ?? []);
for (const set of jobs.sets) {
  const icons = JSON.parse(readFileSync(set.icons, 'utf8'));
  mkdirSync(set.out, { recursive: true });
  for (const [stem, name] of set.items) {
    const file = join(set.out, `${stem}.png`);
    if (existsSync(file)) {
      kept++;
      continue;
    }
    if (skip.has(file)) continue;
    writeFileSync(jobs.trace, file);
    const data = getIconData(icons, name);
    if (!data) {
      missing.push(`${set.out}: ${name}`);
      continue;
    }
    const svg = iconToSVG(data, { height: 'auto' });
    const html = iconToHTML(svg.body, { ...svg.attributes, xmlns: 'http://www.w3.org/2000/svg' });
    // Fit the longer side, so a non-square icon keeps its aspect ratio inside the square.
    const wide = data.width >= data.height;
    const picture = new Resvg(html, {
      fitTo: { mode: wide ? 'width' : 'height', value: jobs.size },
    }).render();
    writeFileSync(file, picture.asPng());
    rendered++;
  }
}
console.log(JSON.stringify({ rendered, kept, missing }));
