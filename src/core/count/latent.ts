/** Latent estimates (§7): py, the noise matrix and its inverse. */
import { createRequire } from 'node:module';
import type { TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { pairwiseSum } from '../numeric.js';
import { sequentialRowColSums } from '../sparse.js';
import { isOneOf, type Matrix, type ProbMatrix, PY_METHODS, type PyMethod } from '../types.js';
import { computeConfidentJointFull, type ConfidentJointResult } from './confident-joint.js';
import { fromMatrix, toMatrix } from './matrix.js';
import { labelCounts } from './thresholds.js';

/**
 * ml-matrix (~10 MB of resident memory once loaded) serves only py_method='eqn': loaded on
 * first use, synchronously (its CommonJS build), so the common paths never pay for it.
 */
let mlMatrix: typeof import('ml-matrix') | undefined;
function ml(): typeof import('ml-matrix') {
  return (mlMatrix ??= createRequire(import.meta.url)('ml-matrix') as typeof import('ml-matrix'));
}


export interface LatentEstimates {
  py: number[];
  noiseMatrix: Matrix;
  inverseNoiseMatrix: Matrix;
}

function guard(x: number): number {
  return x > 1e-100 ? x : x !== x ? x : 1e-100;
}

/** CLIP_VALUES(x, low, high, new_sum=1) in place. */
function clipValues(x: Float64Array, low: number, high: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    x[i] = v < low ? low : v > high ? high : v;
  }
  const s = guard(pairwiseSum(x));
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! * 1.0) / s;
}

/**
 * K×K matrices of the latent estimation share the zero pattern of the confident joint:
 * NM[i][j] = C[i][j]/cs[j], INV[j][i] = C[i][j]/rs[i], and every later step multiplies or
 * divides entries by positive finite numbers, clips (0 stays 0) or normalises by sums (to
 * which a +0 adds nothing). So they are stored on that pattern only (rows i, columns j
 * increasing — the same summation order as the dense matrices), which makes large sparse K
 * cheap and leaves every result bit-identical. A confident joint holding a non-finite value
 * uses the full pattern (dense semantics, NaN propagation included).
 */
interface Pattern {
  k: number;
  rowStart: Int32Array;
  col: Int32Array;
  /** position of (i, i) in the pattern, or −1 */
  diag: Int32Array;
}

function patternOf(c: Float64Array, k: number, nonzeros?: Int32Array | null): Pattern {
  if (nonzeros) {
    // the same pattern from the known nonzero positions (all ≠ 0), unless one is not finite
    let finite = true;
    for (let t = 0; t < nonzeros.length; t++) if (!Number.isFinite(c[nonzeros[t]!]!)) finite = false;
    if (finite) {
      const rowStart = new Int32Array(k + 1);
      const col = new Int32Array(nonzeros.length);
      const diag = new Int32Array(k).fill(-1);
      for (let t = 0; t < nonzeros.length; t++) {
        const p = nonzeros[t]!;
        const i = (p / k) | 0;
        const j = p - i * k;
        rowStart[i + 1]!++;
        col[t] = j;
        if (i === j) diag[i] = t;
      }
      for (let i = 0; i < k; i++) rowStart[i + 1] = rowStart[i + 1]! + rowStart[i]!;
      return { k, rowStart, col, diag };
    }
  }
  let finite = true;
  let nnz = 0;
  for (let e = 0; e < k * k; e++) {
    const v = c[e]!;
    if (!Number.isFinite(v)) finite = false;
    if (v !== 0) nnz++;
  }
  const dense = !finite;
  if (dense) nnz = k * k;
  const rowStart = new Int32Array(k + 1);
  const col = new Int32Array(nnz);
  const diag = new Int32Array(k).fill(-1);
  let e = 0;
  for (let i = 0; i < k; i++) {
    rowStart[i] = e;
    for (let j = 0; j < k; j++) {
      if (dense || c[i * k + j]! !== 0) {
        if (i === j) diag[i] = e;
        col[e++] = j;
      }
    }
  }
  rowStart[k] = e;
  return { k, rowStart, col, diag };
}

/** CLIP_NOISE_RATES of NM (on the pattern): clip off-diagonal, normalise columns. */
function clipNoiseRatesP(p: Pattern, v: Float64Array, colsum: Float64Array): void {
  const { k, rowStart, col } = p;
  colsum.fill(0);
  for (let i = 0; i < k; i++) {
    for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
      const j = col[e]!;
      let x = v[e]!;
      if (j !== i) {
        x = x < 0 ? 0 : x > 0.9999 ? 0.9999 : x;
        v[e] = x;
      }
      colsum[j] = colsum[j]! + x;
    }
  }
  for (let j = 0; j < k; j++) colsum[j] = guard(colsum[j]!);
  for (let e = 0; e < v.length; e++) v[e] = v[e]! / colsum[col[e]!]!;
}

/**
 * CLIP_NOISE_RATES of INV stored transposed (invT[i][j] = INV[j][i]) on the pattern: column i
 * of INV is row i of invT, summed top-to-bottom of INV = left-to-right of invT.
 */
function clipNoiseRatesTP(p: Pattern, v: Float64Array): void {
  const { k, rowStart, col } = p;
  for (let i = 0; i < k; i++) {
    const e0 = rowStart[i]!;
    const e1 = rowStart[i + 1]!;
    let sum = 0;
    for (let e = e0; e < e1; e++) {
      let x = v[e]!;
      if (col[e]! !== i) {
        x = x < 0 ? 0 : x > 0.9999 ? 0.9999 : x;
        v[e] = x;
      }
      sum += x;
    }
    const g = guard(sum);
    for (let e = e0; e < e1; e++) v[e] = v[e]! / g;
  }
}

function diagOf(p: Pattern, v: Float64Array, i: number): number {
  const e = p.diag[i]!;
  return e < 0 ? 0 : v[e]!;
}

/**
 * cleanlab `estimate_latent` on a flat confident joint (rows given, columns true).
 * Returns py, NM (row-major) and INV (row-major, true on rows).
 */
export function estimateLatentFlat(
  cj: Float64Array,
  k: number,
  counts: ArrayLike<number>,
  opts: { pyMethod?: PyMethod; convergeLatentEstimates?: boolean; nonzeros?: Int32Array | null } = {},
): { py: Float64Array; nm: Float64Array; inv: Float64Array } {
  const pyMethod = opts.pyMethod ?? 'cnt';
  if (!isOneOf(PY_METHODS, pyMethod)) {
    throw new InputError('py_method', `py_method '${String(pyMethod)}' is not valid; choose one of: ${PY_METHODS.join(', ')}.`);
  }
  let n = 0;
  for (let i = 0; i < k; i++) n += counts[i]!;
  const ps = new Float64Array(k);
  for (let i = 0; i < k; i++) ps[i] = counts[i]! / n;
  let rs: Float64Array;
  let cs: Float64Array;
  if (opts.nonzeros) ({ rs, cs } = sequentialRowColSums(cj, opts.nonzeros, k));
  else {
    rs = new Float64Array(k);
    cs = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let r = 0;
      for (let j = 0; j < k; j++) {
        const v = cj[i * k + j]!;
        r += v;
        cs[j] = cs[j]! + v;
      }
      rs[i] = r;
    }
  }
  const p = patternOf(cj, k, opts.nonzeros);
  const { rowStart, col } = p;
  const nnz = col.length;
  const nm = new Float64Array(nnz); // NM[i][j]
  const invT = new Float64Array(nnz); // invT[i][j] = INV[j][i]
  for (let i = 0; i < k; i++) {
    const gi = guard(rs[i]!);
    for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
      const j = col[e]!;
      const v = cj[i * k + j]!;
      nm[e] = v / guard(cs[j]!);
      invT[e] = v / gi;
    }
  }
  const py = new Float64Array(k);
  switch (pyMethod) {
    case 'cnt':
      for (let c = 0; c < k; c++) py[c] = (diagOf(p, invT, c) / guard(diagOf(p, nm, c))) * ps[c]!;
      break;
    case 'eqn': {
      const dense = new Float64Array(k * k);
      for (let i = 0; i < k; i++) for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) dense[i * k + col[e]!] = nm[e]!;
      let inv: number[][];
      try {
        const { Matrix: MlMatrix, inverse: mlInverse } = ml();
        inv = mlInverse(new MlMatrix(toMatrix(dense, k))).to2DArray();
      } catch {
        throw new InputError('py_method', "py_method='eqn' needs an invertible noise matrix; it is singular (e.g. a class has no examples).");
      }
      let singular = false;
      for (let i = 0; i < k; i++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += inv[i]![j]! * ps[j]!;
        if (!Number.isFinite(s)) singular = true;
        py[i] = s;
      }
      if (singular) {
        throw new InputError('py_method', "py_method='eqn' needs an invertible noise matrix; it is singular (e.g. a class has no examples).");
      }
      break;
    }
    case 'marginal': {
      const tot = guard(pairwiseSum(cs));
      for (let c = 0; c < k; c++) py[c] = cs[c]! / tot;
      break;
    }
    case 'marginal_ps':
      // py[j] = Σ_i INV[j][i] ps[i] = Σ_i invT[i][j] ps[i], i increasing
      for (let i = 0; i < k; i++) {
        for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
          const j = col[e]!;
          py[j] = py[j]! + invT[e]! * ps[i]!;
        }
      }
      break;
  }
  clipValues(py, 1e-6, 1.0);
  const colsum = new Float64Array(k);
  clipNoiseRatesP(p, nm, colsum);
  clipNoiseRatesTP(p, invT);
  if (opts.convergeLatentEstimates) {
    const psg = new Float64Array(k);
    for (let i = 0; i < k; i++) psg[i] = guard(ps[i]!);
    const invDiag = new Float64Array(k);
    const pyg = new Float64Array(k);
    for (let outer = 0; outer < 3; outer++) {
      for (let inner = 0; inner < 5; inner++) {
        // INV = CLIP_NOISE_RATES(INV[j][i] = NM[i][j]·py[j] / ps[i]), stored as invT[i][j].
        // Within the 5 inner rounds NM is fixed and py needs only INV's diagonal, so the
        // whole matrix is written in the last round only.
        const materialize = inner === 4;
        for (let i = 0; i < k; i++) {
          const e0 = rowStart[i]!;
          const e1 = rowStart[i + 1]!;
          const dps = psg[i]!;
          let sum = 0;
          if (materialize) {
            for (let e = e0; e < e1; e++) {
              let v = (nm[e]! * py[col[e]!]!) / dps;
              if (col[e]! !== i) v = v < 0 ? 0 : v > 0.9999 ? 0.9999 : v;
              invT[e] = v;
              sum += v;
            }
            const g = guard(sum);
            for (let e = e0; e < e1; e++) invT[e] = invT[e]! / g;
            invDiag[i] = diagOf(p, invT, i);
          } else {
            for (let e = e0; e < e1; e++) {
              let v = (nm[e]! * py[col[e]!]!) / dps;
              if (col[e]! !== i) v = v < 0 ? 0 : v > 0.9999 ? 0.9999 : v;
              sum += v;
            }
            const de = p.diag[i]!;
            invDiag[i] = de < 0 ? 0 : (nm[de]! * py[i]!) / dps / guard(sum);
          }
        }
        for (let c = 0; c < k; c++) py[c] = (invDiag[c]! / guard(diagOf(p, nm, c))) * ps[c]!;
        clipValues(py, 1e-6, 1.0);
      }
      // NM = CLIP_NOISE_RATES(NM[i][j] = INV[j][i]·ps[i] / py[j]), column sums top to bottom
      for (let j = 0; j < k; j++) pyg[j] = guard(py[j]!);
      colsum.fill(0);
      for (let i = 0; i < k; i++) {
        const pi = ps[i]!;
        for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
          const j = col[e]!;
          let v = (invT[e]! * pi) / pyg[j]!;
          if (j !== i) v = v < 0 ? 0 : v > 0.9999 ? 0.9999 : v;
          nm[e] = v;
          colsum[j] = colsum[j]! + v;
        }
      }
      for (let j = 0; j < k; j++) colsum[j] = guard(colsum[j]!);
      for (let e = 0; e < nnz; e++) nm[e] = nm[e]! / colsum[col[e]!]!;
    }
    clipValues(py, 1e-5, 1.0);
    clipNoiseRatesP(p, nm, colsum);
    clipNoiseRatesTP(p, invT);
  }
  const nmDense = new Float64Array(k * k);
  const invDense = new Float64Array(k * k); // INV[j][i], true on rows
  for (let i = 0; i < k; i++) {
    for (let e = rowStart[i]!, end = rowStart[i + 1]!; e < end; e++) {
      const j = col[e]!;
      nmDense[i * k + j] = nm[e]!;
      invDense[j * k + i] = invT[e]!;
    }
  }
  return { py, nm: nmDense, inv: invDense };
}

/** cleanlab `estimate_latent(confident_joint, labels, py_method, converge_latent_estimates=False)`. */
export function estimateLatent(
  cj: Matrix,
  labelCountsIn: ArrayLike<number>,
  opts: { pyMethod?: PyMethod; convergeLatentEstimates?: boolean } = {},
): LatentEstimates {
  const { flat, k } = fromMatrix(cj);
  const r = estimateLatentFlat(flat, k, labelCountsIn, opts);
  return { py: Array.from(r.py), noiseMatrix: toMatrix(r.nm, k), inverseNoiseMatrix: toMatrix(r.inv, k) };
}

/** Options of estimatePyAndNoiseMatricesFromProbabilities / …Flat. */
export interface LatentOptions {
  convergeLatentEstimates?: boolean;
  pyMethod?: PyMethod;
  precomputed?: ConfidentJointResult;
  tieOrder?: TieOrder;
}

/**
 * cleanlab `estimate_py_and_noise_matrices_from_probabilities`: calibrated confident joint,
 * then estimate_latent with converge_latent_estimates=True by default.
 */
export function estimatePyAndNoiseMatricesFromProbabilities(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: LatentOptions = {},
): LatentEstimates & { confidentJoint: Matrix } {
  const pre = opts.precomputed ?? computeConfidentJointFull(labels, pp, { tieOrder: opts.tieOrder ?? 'stable' });
  const r = estimatePyAndNoiseMatricesFlat(labels, pp, { ...opts, precomputed: pre });
  return {
    py: Array.from(r.py),
    noiseMatrix: toMatrix(r.nm, pre.k),
    inverseNoiseMatrix: toMatrix(r.inv, pre.k),
    get confidentJoint(): Matrix {
      return pre.calibrated;
    },
  };
}

/**
 * estimatePyAndNoiseMatricesFromProbabilities with flat row-major K×K results (no nested
 * arrays): py, noise matrix P(given | true) and inverse noise matrix P(true | given).
 */
export function estimatePyAndNoiseMatricesFlat(
  labels: Int32Array,
  pp: ProbMatrix,
  opts: LatentOptions = {},
): { k: number; py: Float64Array; nm: Float64Array; inv: Float64Array } {
  const pre = opts.precomputed ?? computeConfidentJointFull(labels, pp, { tieOrder: opts.tieOrder ?? 'stable' });
  const r = estimateLatentFlat(pre.calibratedFlat, pre.k, pre.labelCounts, {
    pyMethod: opts.pyMethod ?? 'cnt',
    convergeLatentEstimates: opts.convergeLatentEstimates ?? true,
    nonzeros: pre.calibratedNonzeros,
  });
  return { k: pre.k, py: r.py, nm: r.nm, inv: r.inv };
}
