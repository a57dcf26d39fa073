/**
 * Loaders for the fixtures copied into test/fixtures/<set>/ (parity, multilabel,
 * multiannotator, npy), and for the cleanlab parity fixtures in particular (format:
 * ../fixtures/parity README; originally ../shared/fixtures/README.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { TieOrder } from '../../src/core/argsort.js';
import { InputError } from '../../src/core/errors.js';
import { probMatrix, type ProbMatrix } from '../../src/core/types.js';
import { diffClose, diffExact } from './tolerance.js';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Absolute path of test/fixtures/<set>/<file> (or of the set's folder). */
export function fixturePath(set: string, file = ''): string {
  return join(FIXTURES_DIR, set, file);
}

/** The `.json` files of a fixture set, sorted. */
export function fixtureFiles(set: string): string[] {
  return readdirSync(fixturePath(set))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** A JSON fixture file of a set, parsed (`file` with or without `.json`). */
export function loadFixture<T = Record<string, any>>(set: string, file: string): T {
  const name = file.endsWith('.json') ? file : `${file}.json`;
  return JSON.parse(readFileSync(fixturePath(set, name), 'utf8')) as T;
}


export interface FixtureEntry {
  kwargs?: Record<string, unknown> | null;
  result?: unknown;
  result_stable_sort?: unknown;
  tie_sensitive?: boolean;
  raises?: string;
  message?: string;
  warnings?: string[];
  output?: 'mask' | 'indices';
  num_issues?: number;
}

export interface ParityFixture {
  file: string;
  name: string;
  num_examples: number;
  num_classes: number;
  labels: number[];
  pred_probs: number[][];
  expected: Record<string, FixtureEntry | FixtureEntry[]>;
}

export function parityFiles(): string[] {
  return fixtureFiles('parity');
}

export function loadParityFixture(file: string): ParityFixture {
  return { ...loadFixture<Omit<ParityFixture, 'file'>>('parity', file), file };
}

/** Entries of one expected function as a list. */
export function entriesOf(e: FixtureEntry | FixtureEntry[]): FixtureEntry[] {
  return Array.isArray(e) ? e : [e];
}

/** labels as Int32Array and pred_probs as a row-major Float64Array ProbMatrix. */
export function toInputs(fx: ParityFixture): { labels: Int32Array; pp: ProbMatrix } {
  const n = fx.num_examples;
  const k = fx.num_classes;
  const labels = Int32Array.from(fx.labels);
  const data = new Float64Array(n * k);
  fx.pred_probs.forEach((row, i) => {
    if (row.length !== k) throw new Error(`${fx.file}: pred_probs row ${i} has ${row.length} values`);
    data.set(row, i * k);
  });
  if (labels.length !== n) throw new Error(`${fx.file}: ${labels.length} labels, expected ${n}`);
  return { labels, pp: probMatrix(data, n, k) };
}

/** Compare our warnings with the fixture's `warnings` ("Category: text"). */
export function diffWarnings(ours: string[], expected: string[] | undefined): string[] {
  const problems: string[] = [];
  const exp = expected ?? [];
  const used = new Set<number>();
  for (const w of exp) {
    const colon = w.indexOf(': ');
    const category = w.slice(0, colon);
    const text = w.slice(colon + 2);
    // numpy's RuntimeWarnings are reported by one descriptive warning of ours naming them
    const i =
      category === 'RuntimeWarning'
        ? ours.findIndex((o) => o.includes('RuntimeWarning'))
        : ours.findIndex((o, idx) => o === text && !used.has(idx));
    if (i < 0) problems.push(`missing warning: ${w}`);
    else used.add(i);
  }
  ours.forEach((o, idx) => {
    if (!used.has(idx)) problems.push(`unexpected warning: ${o}`);
  });
  return problems;
}

// ---------------------------------------------------------------------------------------
// Task-type fixtures (token-classification/, segmentation/, …): `expected` maps
// "<module>.<function>" to a list of entries; kwargs values may reference the file's inputs
// ("$name"), earlier results ("expected.<fn>[i].result.<key>") or float("inf") ("inf"), and
// large results may be `{"same_as": "expected.<fn>[i].result.<key>"}`.

export interface TaskFixture {
  file: string;
  name: string;
  expected: Record<string, FixtureEntry[]>;
  [input: string]: unknown;
}

export function loadTaskFixture(set: string, file: string): TaskFixture {
  return { ...loadFixture<TaskFixture>(set, file), file };
}

/** Which stored variant an entry is compared with: cleanlab's `result` or `result_stable_sort`. */
export type ResultVariant = 'result' | 'result_stable_sort';

/** The stored value at "expected.<fn>[i].result(.key)*" (the stable variant when asked and recorded). */
export function expectedRef(fx: TaskFixture, ref: string, variant: ResultVariant = 'result'): unknown {
  const m = /^expected\.(.+?)\[(\d+)\]\.result((?:\.[A-Za-z_]+)*)$/.exec(ref);
  if (!m) throw new Error(`${fx.file}: bad reference ${ref}`);
  const entry = fx.expected[m[1]!]?.[Number(m[2])];
  if (!entry) throw new Error(`${fx.file}: reference ${ref} has no target`);
  let v: unknown = variant === 'result_stable_sort' && entry.tie_sensitive ? entry.result_stable_sort : entry.result;
  for (const key of m[3]!.split('.').filter(Boolean)) v = (v as Record<string, unknown>)[key];
  return resolveTaskSameAs(fx, v, variant);
}

/** Replace `{"same_as": ref}` objects anywhere inside a stored result. */
export function resolveTaskSameAs(fx: TaskFixture, value: unknown, variant: ResultVariant = 'result'): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && typeof obj.same_as === 'string') return expectedRef(fx, obj.same_as, variant);
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = resolveTaskSameAs(fx, obj[key], variant);
  return out;
}

/**
 * A kwargs value as cleanlab received it: "$name" → the file's input, "expected.…" → that
 * stored result (always cleanlab's `result`: it is what the generator passed), "inf" → ∞.
 */
export function resolveKwarg(fx: TaskFixture, v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (v === 'inf') return Infinity;
  if (v.startsWith('$')) {
    const name = v.slice(1);
    if (!(name in fx)) throw new Error(`${fx.file}: unknown input ${v}`);
    return fx[name];
  }
  if (v.startsWith('expected.')) return expectedRef(fx, v, 'result');
  return v;
}

/** All kwargs of an entry resolved. */
export function resolveKwargs(fx: TaskFixture, kw: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(kw ?? {})) out[key] = resolveKwarg(fx, v);
  return out;
}

/**
 * An entry where cleanlab raised: under both tie rules `run` must throw an InputError with
 * cleanlab's message.
 */
export function checkRaises(t: Test, label: string, entry: FixtureEntry, run: (ties: TieOrder) => unknown): void {
  for (const ties of ['stable', 'numpy'] as const) {
    let thrown: unknown = null;
    try {
      run(ties);
    } catch (e) {
      thrown = e;
    }
    t.ok(thrown instanceof InputError, `${label} [${ties}] raises InputError (cleanlab: ${entry.raises})`);
    t.equal((thrown as Error | null)?.message, entry.message, `${label} [${ties}] error message`);
  }
}

/** One cleanlab function of a task-type fixture: the kwargs it understands and how to run it. */
export interface TaskRunner<C> {
  kwargs: readonly string[];
  /** 'exact': integers, masks, orders, strings; 'float': numbers within PARITY_TOL */
  kind: 'exact' | 'float';
  /** kw: resolved kwargs (see resolveKwargs); returns the value in the fixture's shape */
  run(ctx: C, kw: Record<string, unknown>, ties: TieOrder): { value: unknown; warnings?: string[] };
  /** replaces the `kind` comparison (deliberate, documented differences only) */
  compare?(ctx: C, kw: Record<string, unknown>, actual: unknown, expected: unknown): string[];
}

/** Row-major flat values → nested arrays of the given shape (booleans when `bool`). */
export function reshape(flat: ArrayLike<number>, shape: readonly number[], bool = false): unknown[] {
  const conv = (v: number): unknown => (bool ? v === 1 : v);
  const build = (off: number, d: number): unknown[] => {
    const n = shape[d]!;
    if (d === shape.length - 1) return Array.from({ length: n }, (_, i) => conv(flat[off + i]!));
    const step = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) => build(off + i * step, d + 1));
  };
  return build(0, 0);
}

/**
 * The parity suite of a task-type fixture set: EVERY entry of every file, raises included,
 * under both tie rules — the stable rule against `result_stable_sort` when the entry is
 * tie-sensitive (else `result`), numpy 1.24's introsort against `result`. Unknown functions
 * or kwargs fail; at the end every enumerated entry must have run.
 */
export function runTaskFixtureSuite<C>(
  t: Test,
  set: string,
  makeCtx: (fx: TaskFixture) => C,
  runners: Record<string, TaskRunner<C>>,
): void {
  let ran = 0;
  let enumerated = 0;
  for (const file of fixtureFiles(set)) {
    const fx = loadTaskFixture(set, file);
    for (const list of Object.values(fx.expected)) enumerated += list.length;
    t.test(file, async (t) => {
      const ctx = makeCtx(fx);
      for (const [fn, list] of Object.entries(fx.expected)) {
        const runner = runners[fn];
        if (!runner) {
          t.fail(`${file}: unknown cleanlab function ${fn}`);
          continue;
        }
        list.forEach((entry, idx) => {
          ran++;
          const label = `${fn}#${idx} ${JSON.stringify(entry.kwargs ?? {}).slice(0, 160)}`;
          const unknown = Object.keys(entry.kwargs ?? {}).filter((k) => !runner.kwargs.includes(k));
          if (unknown.length > 0) {
            t.fail(`${label}: unknown kwargs ${unknown.join(', ')}`);
            return;
          }
          const kw = resolveKwargs(fx, entry.kwargs);
          if (entry.raises !== undefined) {
            checkRaises(t, label, entry, (ties) => runner.run(ctx, kw, ties));
            return;
          }
          if (entry.result === undefined || (entry.tie_sensitive && entry.result_stable_sort === undefined)) {
            t.fail(`${label}: entry without result (or tie-sensitive without result_stable_sort)`);
            return;
          }
          const diff = (actual: { value: unknown; warnings?: string[] }, expected: unknown): string[] => [
            ...(runner.compare
              ? runner.compare(ctx, kw, actual.value, expected)
              : runner.kind === 'exact'
                ? diffExact(actual.value, expected)
                : diffClose(actual.value, expected)),
            ...diffWarnings(actual.warnings ?? [], entry.warnings),
          ];
          const stableVariant: ResultVariant = entry.tie_sensitive ? 'result_stable_sort' : 'result';
          const stableExpected = resolveTaskSameAs(fx, entry[stableVariant], stableVariant);
          t.same(diff(runner.run(ctx, kw, 'stable'), stableExpected), [], `${label} [stable → ${stableVariant}]`);
          t.same(diff(runner.run(ctx, kw, 'numpy'), resolveTaskSameAs(fx, entry.result, 'result')), [], `${label} [numpy → result]`);
        });
      }
    });
  }
  t.test(`${set}: every entry ran`, async (t) => {
    t.ok(enumerated > 0, `${enumerated} entries enumerated`);
    t.equal(ran, enumerated, 'every enumerated entry was run');
  });
}
