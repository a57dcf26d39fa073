/**
 * The numerical kernels of spec task-types.md Part N, bit-for-bit in numpy/OpenBLAS's float
 * order: SOFTMAX (N1), the three dot-product orders DOT / EINSUM / GEMM (N2) with an exact
 * fused multiply-add, Python's `round(x, 2)` (N5), exactly rounded sums (`fsum`) and the
 * correctly rounded Euclidean norm of scipy's `euclidean` (F4, "scipy" path).
 */
import { pairwiseSum } from './numeric.js';

// ---------------------------------------------------------------------------------------
// Exact arithmetic building blocks

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp)

/** Dekker's TwoProduct: a·b = hi + lo exactly (no overflow/underflow assumed). Returns lo. */
function twoProductLow(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

const partials = new Float64Array(64);

/**
 * Correctly rounded sum of the values (Python's `math.fsum`: Shewchuk's partials with the
 * final half-way correction). Non-finite input gives the plain sum.
 */
export function fsum(xs: ArrayLike<number>, n: number = xs.length): number {
  let np = 0;
  let special = 0;
  for (let t = 0; t < n; t++) {
    let x = xs[t]!;
    special += x - x; // NaN as soon as any value is ±Infinity or NaN
    let i = 0;
    for (let j = 0; j < np; j++) {
      let y = partials[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const tmp = x;
        x = y;
        y = tmp;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials[i] = x;
    np = i + 1;
  }
  if (special !== 0 || special !== special) {
    let s = 0;
    for (let t = 0; t < n; t++) s += xs[t]!;
    return s;
  }
  if (np === 0) return 0;
  let k = np - 1;
  let hi = partials[k]!;
  let lo = 0;
  while (k > 0) {
    const x = hi;
    const y = partials[--k]!;
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  if (k > 0 && ((lo < 0 && partials[k - 1]! < 0) || (lo > 0 && partials[k - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    const yr = x - hi;
    if (y === yr) hi = x;
  }
  return hi;
}

const fmaTerms = new Float64Array(3);

/** fma(a, b, c) = a·b + c rounded once (N2), via TwoProduct and an exactly rounded 3-term sum. */
export function fma(a: number, b: number, c: number): number {
  if (!Number.isFinite(c) && Number.isFinite(a) && Number.isFinite(b)) return c + 0 * a * b;
  const p = a * b;
  if (!Number.isFinite(p) || !Number.isFinite(c) || p === 0) return p + c;
  const e = twoProductLow(a, b, p);
  if (e === 0) return p + c;
  fmaTerms[0] = p;
  fmaTerms[1] = e;
  fmaTerms[2] = c;
  return fsum(fmaTerms, 3);
}

// ---------------------------------------------------------------------------------------
// N1 softmax

/**
 * SOFTMAX(x, T) of spec N1 over x[o .. o+n), written to out[0 .. n): divide by max(T, 1e-6),
 * subtract the maximum, exp, divide by the pairwise sum of the exps. `map` transforms each
 * input value first (s ↦ 1 − s gives the softmin of the token and pixel scores).
 */
export function softmax(
  x: ArrayLike<number>,
  temperature: number,
  out: Float64Array,
  o = 0,
  n: number = x.length - o,
  map?: (v: number) => number,
): Float64Array {
  const t = Math.max(temperature, 1e-6);
  let mx = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = (map ? map(x[o + i]!) : x[o + i]!) / t;
    out[i] = v;
    if (v > mx || v !== v) mx = v;
  }
  for (let i = 0; i < n; i++) out[i] = Math.exp(out[i]! - mx);
  const s = pairwiseSum(out, 0, n);
  for (let i = 0; i < n; i++) out[i] = out[i]! / s;
  return out;
}

// ---------------------------------------------------------------------------------------
// N2 dot products

/** `np.dot` of two float64 vectors: OpenBLAS ddot (Haswell kernel) order, spec N2 DOT. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>, n: number = x.length, xo = 0, yo = 0): number {
  if (n < 16) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[xo + i]! * y[yo + i]!;
    return s;
  }
  const n1 = n - (n % 16);
  const acc = new Float64Array(16); // acc[4r + j]
  for (let b = 0; b < n1; b += 16) {
    for (let q = 0; q < 16; q++) acc[q] = fma(x[xo + b + q]!, y[yo + b + q]!, acc[q]!);
  }
  // h_r = (acc[r][0] + acc[r][2], acc[r][1] + acc[r][3])
  const h0a = acc[0]! + acc[2]!;
  const h0b = acc[1]! + acc[3]!;
  const h1a = acc[4]! + acc[6]!;
  const h1b = acc[5]! + acc[7]!;
  const h2a = acc[8]! + acc[10]!;
  const h2b = acc[9]! + acc[11]!;
  const h3a = acc[12]! + acc[14]!;
  const h3b = acc[13]! + acc[15]!;
  const da = (h0a + h1a) + (h2a + h3a);
  const db = (h0b + h1b) + (h2b + h3b);
  let s = da + db;
  for (let i = n1; i < n; i++) s = s + x[xo + i]! * y[yo + i]!;
  return s;
}

/** numpy 1.24 `einsum("ij,ij->i")` of one row pair (SSE2, two lanes), spec N2 EINSUM. */
export function einsumRowDot(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, n: number): number {
  let l0 = 0;
  let l1 = 0;
  let i = 0;
  for (; n - i >= 8; i += 8) {
    const a = xo + i;
    const b = yo + i;
    l0 = x[a + 6]! * y[b + 6]! + l0;
    l1 = x[a + 7]! * y[b + 7]! + l1;
    l0 = x[a + 4]! * y[b + 4]! + l0;
    l1 = x[a + 5]! * y[b + 5]! + l1;
    l0 = x[a + 2]! * y[b + 2]! + l0;
    l1 = x[a + 3]! * y[b + 3]! + l1;
    l0 = x[a]! * y[b]! + l0;
    l1 = x[a + 1]! * y[b + 1]! + l1;
  }
  for (; i < n; i++) {
    const v = x[xo + i]! * y[yo + i]!;
    if ((i & 1) === 0) l0 = v + l0;
    else l1 = v + l1;
  }
  return l0 + l1;
}

/** One element of an OpenBLAS dgemm product: an FMA chain in index order, spec N2 GEMM. */
export function gemmDot(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, n: number): number {
  if (n === 0) return 0;
  let acc = x[xo]! * y[yo]!;
  for (let i = 1; i < n; i++) acc = fma(x[xo + i]!, y[yo + i]!, acc);
  return acc;
}

// ---------------------------------------------------------------------------------------
// Python round(x, 2) (N5)

/**
 * Python's `round(x, 2)`: the exact binary value of x rounded to a multiple of 0.01, exact
 * ties to even, returned as the double nearest to that decimal (|x| < 2^40).
 */
export function pyRound2(x: number): number {
  if (!Number.isFinite(x)) return x;
  const p = x * 100;
  const e = twoProductLow(x, 100, p); // x·100 = p + e exactly
  let r = Math.floor(p);
  if (p === r && e < 0) r -= 1; // the exact value lies just below the integer p
  const d = (p - r - 0.5) + e; // sign of (exact fraction − 0.5); p − r − 0.5 is exact
  if (d > 0 || (d === 0 && r % 2 !== 0)) r += 1;
  return r / 100;
}

// ---------------------------------------------------------------------------------------
// Correctly rounded sqrt of a sum of squares (scipy `euclidean`, spec F4)

const bits = new Float64Array(1);
const bitsI = new BigInt64Array(bits.buffer);

/** The next double above (dir = 1) or below (dir = −1) a positive finite c. */
function nextAfter(c: number, dir: 1 | -1): number {
  bits[0] = c;
  bitsI[0] = bitsI[0]! + BigInt(dir);
  return bits[0]!;
}

const normTerms = new Float64Array(16);
const sqTerms = new Float64Array(12);

/** Sign of (c + h)² − S with S = Σ sq[0..m) (exact expansion terms); h is a power of two. */
function sideOfMidpoint(c: number, h: number, m: number): number {
  const p = c * c;
  let t = 0;
  normTerms[t++] = p;
  normTerms[t++] = twoProductLow(c, c, p);
  normTerms[t++] = 2 * c * h; // exact: h is a power of two
  normTerms[t++] = h * h;
  for (let j = 0; j < m; j++) normTerms[t++] = -sqTerms[j]!;
  return fsum(normTerms, t);
}

/**
 * The correctly rounded √(Σ_j d_j²) of the float64 values d (at most 6): what scipy's
 * `euclidean` gives through OpenBLAS `dnrm2` in extended precision.
 */
export function exactNorm(d: ArrayLike<number>, m: number = d.length): number {
  let t = 0;
  for (let j = 0; j < m; j++) {
    const v = d[j]!;
    const p = v * v;
    sqTerms[t++] = p;
    sqTerms[t++] = p === 0 || !Number.isFinite(p) ? 0 : twoProductLow(v, v, p);
  }
  const s = fsum(sqTerms, t);
  if (!(s > 0) || !Number.isFinite(s)) return Math.sqrt(s);
  let c = Math.sqrt(s);
  for (let guard = 0; guard < 4; guard++) {
    const up = nextAfter(c, 1);
    if (sideOfMidpoint(c, (up - c) / 2, t) < 0) {
      c = up; // √S lies above the upper midpoint
      continue;
    }
    const down = nextAfter(c, -1);
    if (sideOfMidpoint(c, -(c - down) / 2, t) > 0) {
      c = down; // √S lies below the lower midpoint
      continue;
    }
    break;
  }
  return c;
}
