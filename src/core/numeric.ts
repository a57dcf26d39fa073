/**
 * Numerical primitives that must behave bit-for-bit like numpy (spec confident-learning.md
 * §0): pairwise summation (R3), round-half-to-even (R2) and first-argmax (R4).
 * Every function reads elements as JS numbers, i.e. float64.
 */

/**
 * numpy's pairwise sum (R3) of `count` elements x[start + i*stride], i = 0..count-1.
 * Blocks of ≤ 128 elements use eight accumulators; longer runs split in two halves whose
 * first half has a length that is a multiple of 8.
 */
export function pairwiseSumStrided(x: ArrayLike<number>, start: number, count: number, stride: number): number {
  if (count < 8) {
    let s = 0.0;
    for (let i = 0, p = start; i < count; i++, p += stride) s += x[p]!;
    return s;
  }
  if (count <= 128) {
    let r0 = x[start]!;
    let r1 = x[start + stride]!;
    let r2 = x[start + 2 * stride]!;
    let r3 = x[start + 3 * stride]!;
    let r4 = x[start + 4 * stride]!;
    let r5 = x[start + 5 * stride]!;
    let r6 = x[start + 6 * stride]!;
    let r7 = x[start + 7 * stride]!;
    const m = count - (count % 8);
    let i = 8;
    for (; i < m; i += 8) {
      const p = start + i * stride;
      r0 += x[p]!;
      r1 += x[p + stride]!;
      r2 += x[p + 2 * stride]!;
      r3 += x[p + 3 * stride]!;
      r4 += x[p + 4 * stride]!;
      r5 += x[p + 5 * stride]!;
      r6 += x[p + 6 * stride]!;
      r7 += x[p + 7 * stride]!;
    }
    let s = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < count; i++) s += x[start + i * stride]!;
    return s;
  }
  let h = Math.floor(count / 2);
  h -= h % 8;
  return pairwiseSumStrided(x, start, h, stride) + pairwiseSumStrided(x, start + h * stride, count - h, stride);
}

/** Contiguous specialisation of the pairwise sum (the common case; faster than strided). */
function psumContiguous(x: ArrayLike<number>, start: number, count: number): number {
  if (count < 8) {
    let s = 0.0;
    for (let i = start, e = start + count; i < e; i++) s += x[i]!;
    return s;
  }
  if (count <= 128) {
    let r0 = x[start]!;
    let r1 = x[start + 1]!;
    let r2 = x[start + 2]!;
    let r3 = x[start + 3]!;
    let r4 = x[start + 4]!;
    let r5 = x[start + 5]!;
    let r6 = x[start + 6]!;
    let r7 = x[start + 7]!;
    const m = start + count - (count % 8);
    let p = start + 8;
    for (; p < m; p += 8) {
      r0 += x[p]!;
      r1 += x[p + 1]!;
      r2 += x[p + 2]!;
      r3 += x[p + 3]!;
      r4 += x[p + 4]!;
      r5 += x[p + 5]!;
      r6 += x[p + 6]!;
      r7 += x[p + 7]!;
    }
    let s = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (const e = start + count; p < e; p++) s += x[p]!;
    return s;
  }
  let h = Math.floor(count / 2);
  h -= h % 8;
  return psumContiguous(x, start, h) + psumContiguous(x, start + h, count - h);
}

/** numpy's pairwise sum (R3) of the contiguous run x[start..end). */
export function pairwiseSum(x: ArrayLike<number>, start = 0, end: number = x.length): number {
  const count = end - start;
  if (count <= 0) return 0.0;
  return psumContiguous(x, start, count);
}

const lanes = new Float64Array(8);

/**
 * pairwiseSum over the dense run [start, start+count) of a vector that is +0 everywhere except
 * at the increasing positions pos[a..b) (all inside the run), whose values are val[a..b).
 * Bit-identical to pairwiseSum of the materialised vector provided no value is −0: adding +0
 * leaves every other float64 unchanged (NaN and ±Infinity included), so the skipped zeros
 * change no partial sum. O((b − a) · log(count)) instead of O(count).
 */
export function sparsePairwiseSum(pos: Int32Array, val: ArrayLike<number>, a: number, b: number, start: number, count: number): number {
  if (a >= b) return 0.0;
  if (count < 8) {
    let s = 0.0;
    for (let t = a; t < b; t++) s += val[t]!;
    return s;
  }
  if (count <= 128) {
    // lane j accumulates positions start + j, start + j + 8, … below the last full group of 8
    lanes.fill(0);
    const m = start + count - (count % 8);
    let t = a;
    for (; t < b && pos[t]! < m; t++) {
      const q = (pos[t]! - start) & 7;
      lanes[q] = lanes[q]! + val[t]!;
    }
    let s = lanes[0]! + lanes[1]! + (lanes[2]! + lanes[3]!) + (lanes[4]! + lanes[5]! + (lanes[6]! + lanes[7]!));
    for (; t < b; t++) s += val[t]!;
    return s;
  }
  let h = Math.floor(count / 2);
  h -= h % 8;
  // first t with pos[t] ≥ start + h
  const cut = start + h;
  let lo = a;
  let hi = b;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pos[mid]! < cut) lo = mid + 1;
    else hi = mid;
  }
  return sparsePairwiseSum(pos, val, a, lo, start, h) + sparsePairwiseSum(pos, val, lo, b, cut, count - h);
}

/** Plain left-to-right sum (numpy's order for a reduction along a non-contiguous axis). */
export function sequentialSum(x: ArrayLike<number>, start = 0, end: number = x.length): number {
  let s = 0.0;
  for (let i = start; i < end; i++) s += x[i]!;
  return s;
}

/**
 * numpy `round` / `rint`: nearest integer, halves to even (R2). −0.5 → −0, NaN → NaN.
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // halves go towards +∞
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/**
 * numpy `argmax` of data[offset .. offset+k): the smallest index among the maximal
 * entries; a NaN counts as the maximum (the first NaN wins), as in numpy.
 */
export function firstArgmax(data: ArrayLike<number>, offset: number, k: number): number {
  let best = data[offset]!;
  if (best !== best) return 0;
  let arg = 0;
  for (let j = 1; j < k; j++) {
    const v = data[offset + j]!;
    if (v > best) {
      best = v;
      arg = j;
    } else if (v !== v) {
      return j;
    }
  }
  return arg;
}

/**
 * Does numpy's argmax of the row with 1e-6 added at the given label return that label?
 * (cleanlab's final "near argmax" filter, spec §10.9; NaN semantics as numpy.)
 */
export function givenIsNearArgmax(data: ArrayLike<number>, offset: number, k: number, given: number): boolean {
  const q = data[offset + given]! + 1e-6;
  if (q !== q) {
    // numpy returns the first NaN: the given entry wins iff no NaN precedes it
    for (let j = 0; j < given; j++) if (data[offset + j]! !== data[offset + j]!) return false;
    return true;
  }
  for (let j = 0; j < k; j++) {
    if (j === given) continue;
    const v = data[offset + j]!;
    if (v !== v) return false; // a NaN elsewhere is numpy's argmax
    if (j < given ? !(q > v) : !(q >= v)) return false;
  }
  return true;
}

/** Clip to [lo, hi] like np.clip (NaN stays NaN). */
export function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** 2·atanh(p/q)·2^S as a fixed-point BigInt (|p/q| ≤ 1/3 keeps the series short). */
function atanh2Fixed(p: bigint, q: bigint, shift: bigint): bigint {
  const q2 = q * q;
  const p2 = p * p;
  let term = (p << shift) / q;
  let sum = 0n;
  for (let n = 1n; term !== 0n; n += 2n) {
    sum += term / n;
    term = (term * p2) / q2;
  }
  return 2n * sum;
}

/**
 * ln(k) of a positive integer, correctly rounded (glibc's `log` — which numpy and scipy
 * use — is correctly rounded there; V8's Math.log is not for e.g. k = 3, 48, 74, and the
 * one-ulp difference decides tie orders of confidence_weighted_entropy rankings).
 * Evaluated in 200-bit fixed point: ln k = m·ln 2 + 2·atanh((k − 2^m)/(k + 2^m)).
 */
export function lnInteger(k: number): number {
  if (!Number.isInteger(k) || k < 1) return Math.log(k);
  if (k === 1) return 0;
  const S = 200n;
  const m = Math.round(Math.log2(k));
  const pow = 2n ** BigInt(m);
  const K = BigInt(k);
  const ln2 = atanh2Fixed(1n, 3n, S); // ln 2 = 2·atanh(1/3)
  const v = BigInt(m) * ln2 + atanh2Fixed(K - pow, K + pow, S);
  return Number(v) / 2 ** 200; // Number(bigint) rounds to nearest; the scaling is exact
}
