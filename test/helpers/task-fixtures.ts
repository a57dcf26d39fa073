/**
 * The task-type fixtures (object detection, regression, outliers; format: the task-types
 * section of test/fixtures' source README, ../shared/fixtures/README.md): loading, resolving
 * `"$name"` / `"expected.<fn>[i].result…"` references, and running one entry so that a raise
 * is compared with cleanlab's message.
 */
import { fixtureFiles, loadFixture, type FixtureEntry } from './fixtures.js';

export interface TaskEntry extends FixtureEntry {
  args?: Record<string, unknown>;
  diagnostics_outre?: Record<string, unknown>;
  score_array_is_fit_array?: boolean;
}

export interface TaskFixture {
  file: string;
  name: string;
  expected: Record<string, TaskEntry[]>;
  [input: string]: unknown;
}

export function taskFixtures(set: string): TaskFixture[] {
  return fixtureFiles(set).map((file) => ({ ...loadFixture<Omit<TaskFixture, 'file'>>(set, file), file }));
}

/**
 * Resolve a kwargs value: `"$name"` → the file's top-level input, `"expected.<fn>[i].result…"`
 * → that stored result, `"inf"` → Infinity; everything else as is.
 */
export function resolveRef(fx: TaskFixture, v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (v === 'inf') return Infinity;
  if (v.startsWith('$')) {
    const key = v.slice(1);
    if (!(key in fx)) throw new Error(`${fx.file}: no top-level input ${key}`);
    return fx[key];
  }
  const m = /^expected\.(.+?)\[(\d+)\]\.result((?:\.[A-Za-z0-9_]+)*)$/.exec(v);
  if (m) {
    let r: unknown = fx.expected[m[1]!]![Number(m[2])]!.result;
    for (const key of m[3]!.split('.').filter(Boolean)) r = (r as Record<string, unknown>)[key];
    return r;
  }
  return v;
}

/** Run an entry: its value, or a raise comparable with `raises`/`message` (message only). */
export function runEntry(fn: () => unknown): { value?: unknown; error?: Error } {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: e as Error };
  }
}

/** Label of an entry in test output. */
export function entryLabel(fx: TaskFixture, fn: string, i: number, e: TaskEntry): string {
  return `${fx.file} ${fn}#${i} ${JSON.stringify(e.kwargs ?? {}).slice(0, 160)}`;
}

/** cleanlab warning texts without their `Category: ` prefix. */
export function warningTexts(e: TaskEntry): string[] {
  return (e.warnings ?? []).map((w) => w.replace(/^[A-Za-z]+Warning: /, ''));
}
