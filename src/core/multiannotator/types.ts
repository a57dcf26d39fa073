/**
 * Shapes of the multi-annotator engine (spec multilabel-and-multiannotator.md Part B).
 *
 * Annotations are an N×M Int32Array, row-major: row = example, column = annotator,
 * MISSING (-1) where that annotator did not label that example (cleanlab's NaN).
 */
import { InputError } from '../errors.js';

export const MISSING = -1;

export interface AnnotatorMatrix {
  /** Row-major N×M class ids; `MISSING` (-1) = no annotation. */
  readonly data: Int32Array;
  readonly n: number;
  readonly m: number;
}

export function annotatorMatrix(data: Int32Array, n: number, m: number): AnnotatorMatrix {
  if (data.length !== n * m) {
    throw new RangeError(`annotatorMatrix: data has ${data.length} values, expected ${n}×${m}`);
  }
  return { data, n, m };
}

/** Build an AnnotatorMatrix from nested arrays with null for a missing annotation (tests, CLI). */
export function annotatorMatrixFromRows(rows: readonly (readonly (number | null)[])[]): AnnotatorMatrix {
  const n = rows.length;
  const m = n > 0 ? rows[0]!.length : 0;
  const data = new Int32Array(n * m);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (row.length !== m) {
      throw new InputError('labels_multiannotator', `labels_multiannotator row ${i} has ${row.length} entries; every row must have ${m} (one per annotator)`, { row: i });
    }
    for (let a = 0; a < m; a++) {
      const v = row[a];
      if (v === null || v === undefined) {
        data[i * m + a] = MISSING;
      } else {
        if (!Number.isInteger(v) || v < 0) {
          throw new InputError('labels_multiannotator', `labels_multiannotator[${i}][${a}] is ${v}; labels must be non-negative integer class ids or null for a missing annotation`, { row: i, column: a });
        }
        data[i * m + a] = v;
      }
    }
  }
  return { data, n, m };
}

/** Number of annotations of every example (n_i). */
export function countAnnotations(labels: AnnotatorMatrix): Int32Array {
  const { data, n, m } = labels;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let a = 0; a < m; a++) if (data[i * m + a]! !== MISSING) c++;
    out[i] = c;
  }
  return out;
}

/** Largest class id used by any annotator (-1 if none). */
export function maxAnnotatedLabel(labels: AnnotatorMatrix): number {
  let mx = -1;
  for (const v of labels.data) if (v > mx) mx = v;
  return mx;
}

/** One row of cleanlab's `annotator_stats` table. */
export interface AnnotatorStat {
  /** Column index of the annotator in `labels_multiannotator`. */
  annotator: number;
  /** NaN when undefined (cleanlab's NaN; sorted last). */
  annotatorQuality: number;
  agreementWithConsensus: number;
  worstClass: number;
  numExamplesLabeled: number;
}
