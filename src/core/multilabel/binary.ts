/**
 * One-vs-rest reduction (spec A3): class c becomes the binary problem
 *   y_c[n] = Y[n][c]  (0 = "c absent", 1 = "c present")
 *   B_c[n] = (1 − P[n][c], P[n][c])  (column 0 = absent; 1 − p in float64)
 * on which every single-label quantity of the core is computed.
 */
import type { ProbMatrix } from '../types.js';

export interface BinaryProblem {
  labels: Int32Array;
  pp: ProbMatrix;
  /** # examples with c present. */
  present: number;
}

/** Reusable buffers for the K binary problems of one dataset (avoids K allocations). */
export function binaryProblem(y: Uint8Array, pp: ProbMatrix, c: number, out?: BinaryProblem): BinaryProblem {
  const { n, k, data } = pp;
  const labels = out?.labels.length === n ? out.labels : new Int32Array(n);
  const bd = out?.pp.data.length === 2 * n ? (out.pp.data as Float64Array) : new Float64Array(2 * n);
  let present = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i * k + c]!;
    labels[i] = yi;
    present += yi;
    const p = data[i * k + c]!;
    bd[2 * i] = 1 - p;
    bd[2 * i + 1] = p;
  }
  return { labels, pp: { data: bd, n, k: 2 }, present };
}

/** Rows `rows` (increasing) of the one-hot matrix and of pred_probs: a sub-dataset. */
export function subDataset(y: Uint8Array, pp: ProbMatrix, rows: ArrayLike<number>): { y: Uint8Array; pp: ProbMatrix } {
  const { k, data } = pp;
  const m = rows.length;
  const ys = new Uint8Array(m * k);
  const ps = new Float64Array(m * k);
  for (let j = 0; j < m; j++) {
    const i = rows[j]!;
    for (let c = 0; c < k; c++) {
      ys[j * k + c] = y[i * k + c]!;
      ps[j * k + c] = data[i * k + c]!;
    }
  }
  return { y: ys, pp: { data: ps, n: m, k } };
}
