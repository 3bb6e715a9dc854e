// Peak memory of the browser's processes, per benchmark stage. Linux only: each process's peak
// resident set (VmHWM in /proc/<pid>/status) can be reset by writing 5 to /proc/<pid>/clear_refs,
// so resetting before a stage and reading after it gives that stage's peak, measured by the kernel
// rather than sampled.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export interface ProcessPeak {
  pid: number;
  /** Chromium's --type= (renderer, gpu-process, utility, zygote), or "browser". */
  type: string;
  peakBytes: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process ended meanwhile
  }
}

/** The browser process started with `marker` in its command line, and all its descendants. */
export function browserProcesses(marker: string): { pid: number; type: string }[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => {
      const pid = Number(name);
      const stat = read(`/proc/${pid}/stat`);
      // Zygote-forked children rewrite their title into one space-separated string: search, don't split.
      const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ');
      // The parent pid is the second field after the parenthesised name, which may itself hold spaces.
      const parent = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : -1;
      const type = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
      return { pid, parent, cmdline, type };
    });
  const root = all.find((p) => p.type === 'browser' && p.cmdline.split(' ').includes(marker));
  if (!root) return [];
  const found = new Set([root.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && found.has(p.parent)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => found.has(p.pid)).map(({ pid, type }) => ({ pid, type }));
}

export function resetPeaks(marker: string): void {
  for (const { pid } of browserProcesses(marker)) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      // gone, or not ours to reset: its peak then covers more than the stage, never less
    }
  }
}

export function readPeaks(marker: string): ProcessPeak[] {
  return browserProcesses(marker).flatMap(({ pid, type }) => {
    const kb = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '')?.[1];
    return kb ? [{ pid, type, peakBytes: Number(kb) * 1024 }] : [];
  });
}
