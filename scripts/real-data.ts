/**
 * Loading of the real cross-validated test-set predictions of "Pervasive Label Errors in
 * Test Sets" (../shared/fixtures/label-errors), preprocessed exactly as that folder's
 * README says: float64, each row divided by its numpy (pairwise) row sum.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairwiseSum } from '../src/core/numeric.js';
import type { ProbMatrix } from '../src/core/types.js';
import { npyToLabelValues, npyToProbMatrix, parseNpy } from '../src/io/npy.js';
import { toLabels } from '../src/io/validate.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DATA_DIR = resolve(REPO_ROOT, '../shared/fixtures/label-errors');

/**
 * The data folder (`--data DIR`, default ../shared/fixtures/label-errors). When it is not
 * there, the script ends with one line saying what it needs (exit 66, EX_NOINPUT) instead
 * of a stack trace from the first file it tries to read.
 */
export function dataDirFromArgs(argv: readonly string[]): string {
  const i = argv.indexOf('--data');
  const dir = i >= 0 && argv[i + 1] ? resolve(argv[i + 1]!) : DEFAULT_DATA_DIR;
  if (!existsSync(dir)) {
    process.stderr.write(
      `labelcheck: the real-data folder ${dir} does not exist; this evaluation needs the predictions of "Pervasive Label Errors in Test Sets" (../shared/fixtures/label-errors): pass its location with -- --data DIR\n`,
    );
    process.exit(66);
  }
  return dir;
}

/** Row-normalise as numpy's `p / p.sum(axis=1, keepdims=True)` on float64. */
export function normaliseRows(pp: ProbMatrix): ProbMatrix {
  const { n, k } = pp;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const off = i * k;
    const s = pairwiseSum(pp.data, off, off + k);
    for (let j = 0; j < k; j++) out[off + j] = pp.data[off + j]! / s;
  }
  return { data: out, n, k };
}

export function loadPredProbs(file: string): ProbMatrix {
  return normaliseRows(npyToProbMatrix(parseNpy(readFileSync(file), 'pred_probs'), 'pred_probs'));
}

export function loadLabels(file: string, k: number): Int32Array {
  return toLabels(npyToLabelValues(parseNpy(readFileSync(file), 'labels'), 'labels'), k, 'labels');
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function fileIfExists(dir: string, name: string): string | undefined {
  const p = join(dir, name);
  return existsSync(p) ? p : undefined;
}

/** One entry of a `<name>_mturk.json` file (the paper's crowd votes on a flagged example). */
export interface MturkEntry {
  id: number | string;
  given_original_label: number | string;
  our_guessed_label: number | string;
  mturk: Record<string, number>;
}

/** Row of an MTurk id: the number itself, or (IMDB) the row of the file name in index_to_filename. */
export function rowIndexMapper(indexToFilename?: string): (id: number | string) => number | undefined {
  if (!indexToFilename) {
    return (id) => (typeof id === 'number' ? id : /^\d+$/.test(id) ? Number(id) : undefined);
  }
  const names = readJson<string[]>(indexToFilename);
  const byName = new Map<string, number>();
  names.forEach((f, i) => byName.set(f, i));
  return (id) => {
    if (typeof id === 'number') return id;
    // IMDB: 'test/neg/10003_3' is the entry 'neg/10003_3.txt'.
    const stripped = id.replace(/^[^/]*\//, '');
    for (const c of [id, `${id}.txt`, stripped, `${stripped}.txt`]) {
      const i = byName.get(c);
      if (i !== undefined) return i;
    }
    return /^\d+$/.test(id) ? Number(id) : undefined;
  };
}

/**
 * The MTurk entries with their rows (undefined when the id maps to none) and the class of a
 * label as the file writes it (IMDB: 'Negative'/'Positive'), learnt from the given labels.
 */
export function readMturk(
  file: string,
  indexToFilename: string | undefined,
  labels: Int32Array,
): { entries: MturkEntry[]; rows: (number | undefined)[]; classOf: (v: number | string) => number | undefined } {
  const entries = readJson<MturkEntry[]>(file);
  const toRow = rowIndexMapper(indexToFilename);
  const nameToClass = new Map<string, number>();
  const rows: (number | undefined)[] = entries.map((e) => toRow(e.id));
  entries.forEach((e, i) => {
    const r = rows[i];
    if (r !== undefined && typeof e.given_original_label === 'string') nameToClass.set(e.given_original_label, labels[r]!);
  });
  const classOf = (v: number | string): number | undefined => (typeof v === 'number' ? v : nameToClass.get(v));
  return { entries, rows, classOf };
}
