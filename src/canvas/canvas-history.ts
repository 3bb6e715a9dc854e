// Undo and redo over immutable canvas states: every stroke, clear, invert, accepted result or new
// canvas is one step. States share their unchanged parts (images are never copied), so a long
// history costs little.
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
}

/** Steps kept: older ones are dropped (each may hold a whole image). */
export const HISTORY_LIMIT = 100;

export function startHistory<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

export function commit<T>(history: History<T>, next: T): History<T> {
  return { past: [...history.past, history.present].slice(-HISTORY_LIMIT), present: next, future: [] };
}

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past.at(-1);
  if (previous === undefined) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
}

export function redo<T>(history: History<T>): History<T> {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { past: [...history.past, history.present], present: next, future: rest };
}
