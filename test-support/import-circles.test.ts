// `npm run lint` fails on an import circle, type-only imports included: the lint's own command, run
// on a throw-away tree with and without one.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = new URL('..', import.meta.url).pathname;
const command = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).scripts['lint:circles'] as string;
const dirs: string[] = [];

function lintTree(files: Record<string, string>): number {
  const dir = mkdtempSync(join(tmpdir(), 'circles-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  try {
    execFileSync('sh', ['-c', command], {
      cwd: dir,
      env: { ...process.env, PATH: `${join(repo, 'node_modules/.bin')}:${process.env.PATH}` },
      stdio: 'pipe',
    });
    return 0;
  } catch (e) {
    return (e as { status: number }).status;
  }
}

afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the import-circle lint', () => {
  it('fails on a circle made of type-only imports', () => {
    const status = lintTree({
      'workers/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
      'workers/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
    });
    expect(status).toBe(1);
  });

  it('passes a tree without one', () => {
    const status = lintTree({
      'src/a.ts': "import type { B } from '../shared/b';\nexport interface A { b?: B }\n",
      'shared/b.ts': 'export interface B { n: number }\n',
    });
    expect(status).toBe(0);
  });
});
