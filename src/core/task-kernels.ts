/**
 * Numerical kernels of the task-type families (spec task-types.md Part N), shared by token
 * classification, segmentation, object detection, regression and outliers:
 * - N1 `softmaxInto`: cleanlab's softmax helper (temperature floor 1e-6, max shift, PSUM);
 * - N2 the three dot-product summation orders of numpy/OpenBLAS: `dotBlas` (ddot),
 *   `dotEinsum` (numpy 1.24 einsum "ij,ij->i", SSE2) and `dotGemm` (one dgemm element),
 *   with `fma` emulated exactly (JavaScript has no fused multiply-add).
 * All read elements as float64.
 */
import { pairwiseSum } from './numeric.js';

// ---------------------------------------------------------------------------------------
// Exact fused multiply-add

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp)

/**
 * Correctly rounded a + b + c (Shewchuk's partials, then the half-even correction of
 * Python's `math.fsum`). Finite inputs; used by `fma`.
 */
const partials = new Float64Array(4);
const terms = new Float64Array(3);

function sum3(a: number, b: number, c: number): number {
  terms[0] = a;
  terms[1] = b;
  terms[2] = c;
  let len = 0;
  for (let k = 0; k < 3; k++) {
    let x = terms[k]!;
    let i = 0;
    for (let j = 0; j < len; j++) {
      let y = partials[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials[i] = x;
    len = i + 1;
  }
  let n = len;
  if (n === 0) return 0;
  n--;
  let hi = partials[n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    n--;
    const y = partials[n]!;
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  if (n > 0 && ((lo < 0 && partials[n - 1]! < 0) || (lo > 0 && partials[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    const yr = x - hi;
    if (y === yr) hi = x;
  }
  return hi;
}

/**
 * fma(x, y, acc) = x·y + acc rounded once: Dekker's TwoProduct gives x·y = p + e exactly,
 * then the correctly rounded sum of p, e and acc. Non-finite operands fall back to x·y + acc.
 */
export function fma(x: number, y: number, acc: number): number {
  const p = x * y;
  if (!Number.isFinite(p) || !Number.isFinite(acc) || p === 0) return p + acc;
  let t = SPLITTER * x;
  const xh = t - (t - x);
  const xl = x - xh;
  t = SPLITTER * y;
  const yh = t - (t - y);
  const yl = y - yh;
  const e = xh * yh - p + xh * yl + xl * yh + xl * yl;
  if (e === 0) return p + acc;
  return sum3(p, e, acc);
}

// ---------------------------------------------------------------------------------------
// N1 softmax

/**
 * cleanlab's `softmax(x, temperature)` of x[xo .. xo+n) into out[oo .. oo+n): divide by
 * max(T, 1e-6), subtract the maximum, exp, divide by the pairwise sum of the exps. `map`
 * transforms each input value first (e.g. s ↦ 1 − s for a softmin). Returns out.
 */
export function softmaxInto(
  x: ArrayLike<number>,
  xo: number,
  n: number,
  temperature: number,
  out: Float64Array,
  oo = 0,
  map?: (v: number) => number,
): Float64Array {
  const t = temperature > 1e-6 ? temperature : 1e-6; // max(T, 1e-6); NaN → 1e-6 like Python max
  let mx = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = (map ? map(x[xo + i]!) : x[xo + i]!) / t;
    out[oo + i] = v;
    if (v > mx || v !== v) mx = v; // np.max propagates NaN
  }
  for (let i = 0; i < n; i++) out[oo + i] = Math.exp(out[oo + i]! - mx);
  const s = pairwiseSum(out, oo, oo + n);
  for (let i = 0; i < n; i++) out[oo + i] = out[oo + i]! / s;
  return out;
}

// ---------------------------------------------------------------------------------------
// N2 dot products

/**
 * `np.dot` of two float64 vectors = OpenBLAS ddot (Haswell kernel): n < 16 a plain
 * left-to-right sum; otherwise 16 fused accumulators over the first 16·⌊n/16⌋ elements,
 * reduced lane-wise, then the tail added one product at a time.
 */
export function dotBlas(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, n: number): number {
  const n1 = n - (n % 16);
  let dot = 0;
  if (n1 > 0) {
    const acc = new Float64Array(16); // acc[4r + j]
    for (let b = 0; b < n1; b += 16) {
      for (let q = 0; q < 16; q++) acc[q] = fma(x[xo + b + q]!, y[yo + b + q]!, acc[q]!);
    }
    // h_r = (acc[r][0] + acc[r][2], acc[r][1] + acc[r][3])
    const h = new Float64Array(8);
    for (let r = 0; r < 4; r++) {
      h[2 * r] = acc[4 * r]! + acc[4 * r + 2]!;
      h[2 * r + 1] = acc[4 * r + 1]! + acc[4 * r + 3]!;
    }
    const a0 = h[0]! + h[2]!;
    const a1 = h[1]! + h[3]!;
    const c0 = h[4]! + h[6]!;
    const c1 = h[5]! + h[7]!;
    dot = a0 + c0 + (a1 + c1);
  }
  for (let i = n1; i < n; i++) dot = dot + x[xo + i]! * y[yo + i]!;
  return dot;
}

/**
 * numpy 1.24 `einsum("ij,ij->i")` of one row pair (baseline SSE2 build, no FMA): two lanes;
 * blocks of 8 update lane L with pairs 6+L, 4+L, 2+L, L in that order; the rest pairwise in
 * order (even element → lane 0, odd → lane 1); result lane 0 + lane 1.
 */
export function dotEinsum(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, n: number): number {
  let l0 = 0;
  let l1 = 0;
  let i = 0;
  for (; n - i >= 8; i += 8) {
    const p = xo + i;
    const q = yo + i;
    l0 = x[p + 6]! * y[q + 6]! + l0;
    l1 = x[p + 7]! * y[q + 7]! + l1;
    l0 = x[p + 4]! * y[q + 4]! + l0;
    l1 = x[p + 5]! * y[q + 5]! + l1;
    l0 = x[p + 2]! * y[q + 2]! + l0;
    l1 = x[p + 3]! * y[q + 3]! + l1;
    l0 = x[p]! * y[q]! + l0;
    l1 = x[p + 1]! * y[q + 1]! + l1;
  }
  for (; i < n; i++) {
    const v = x[xo + i]! * y[yo + i]!;
    if (((i - (n - (n % 8))) & 1) === 0) l0 = v + l0;
    else l1 = v + l1;
  }
  return l0 + l1;
}

/**
 * One element of an OpenBLAS dgemm product (Haswell kernel): a chain of fused multiply-adds
 * in index order, acc = x0·y0, then acc = fma(x_i, y_i, acc). Exact for n ≤ 256 (spec N2).
 */
export function dotGemm(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, n: number): number {
  if (n <= 0) return 0;
  let acc = x[xo]! * y[yo]!;
  for (let i = 1; i < n; i++) acc = fma(x[xo + i]!, y[yo + i]!, acc);
  return acc;
}
