/**
 * Part N kernels against exact arithmetic: the emulated fma rounds once (checked with BigInt
 * on dyadic values), fsum is exact where it must be, Python's round(x, 2) breaks exact ties to
 * even, the scipy norm is correctly rounded, DOT / EINSUM / GEMM follow their orders, the
 * softmax helper, ln of integers, and the label inspector's selection.
 */
import t from 'tap';
import { dot, einsumRowDot, exactNorm, fma, fsum, gemmDot, pyRound2, softmax } from '../../src/core/float-kernels.js';
import { lnInteger } from '../../src/core/numeric.js';

/** Deterministic pseudo-random doubles. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** value × 2^scale as an exact BigInt (throws if not integral). */
function big(x: number, scale: number): bigint {
  const v = x * 2 ** scale;
  if (!Number.isInteger(v)) throw new Error(`${x} is not a multiple of 2^-${scale}`);
  return BigInt(v);
}

t.test('fma rounds a·b + c once', async (t) => {
  t.equal(fma(1 + 2 ** -52, 1 - 2 ** -52, -1), -(2 ** -104), 'the product error survives (plain a·b + c gives 0)');
  t.equal(fma(0.1, 10, -1), 5.551115123125783e-17);
  t.equal(fma(2, 3, 4), 10);
  t.equal(fma(1e308, 10, -Infinity), -Infinity);
  // random dyadic operands with 20-bit mantissas: a·b + c is exact in BigInt; the result must
  // be the nearest double (checked via the neighbouring midpoints)
  const r = rng(7);
  let differsFromPlain = 0;
  for (let i = 0; i < 2000; i++) {
    const a = Math.floor(r() * 2 ** 30) / 2 ** 20;
    const b = Math.floor(r() * 2 ** 30) / 2 ** 20;
    const c = (r() - 0.5) * 2 ** 20;
    const got = fma(a, b, c);
    const S = 120;
    const exact = big(a, 40) * big(b, 40) * 2n ** BigInt(S - 80) + big(c, S);
    const g = big(got, S);
    const up = big(got + Math.abs(got) * Number.EPSILON, S) - g; // ≥ one ulp
    t.ok((exact - g) * 2n <= up && (g - exact) * 2n <= up, `fma #${i} within half an ulp`);
    if (got !== a * b + c) differsFromPlain++;
  }
  t.ok(differsFromPlain > 0, `fma differs from a·b + c on some inputs (${differsFromPlain})`);
});

t.test('fsum is exactly rounded', async (t) => {
  t.equal(fsum([1e100, 1, -1e100]), 1);
  t.equal(fsum([0.1, 0.2, 0.3]), 0.6);
  t.equal(fsum([]), 0);
});

t.test("Python round(x, 2): exact binary value, ties to even", async (t) => {
  t.equal(pyRound2(0.125), 0.12, '0.125 is an exact tie → even');
  t.equal(pyRound2(0.375), 0.38);
  t.equal(pyRound2(2.675), 2.67, '2.675 is below the tie in binary');
  t.equal(pyRound2(0.335), 0.34, '0.335 is above the tie in binary');
  t.equal(pyRound2(1 / 3), 0.33);
  t.equal(pyRound2(0.999999), 1);
});

t.test('exactNorm is the correctly rounded sqrt of the exact sum of squares', async (t) => {
  const r = rng(11);
  for (let i = 0; i < 500; i++) {
    const d = [Math.floor(r() * 1e9), Math.floor(r() * 1e9), Math.floor(r() * 1e3)];
    const S = d.reduce((a, v) => a + BigInt(v) * BigInt(v), 0n) * 2n ** 60n; // scaled by 2^(2·30)
    const c = exactNorm(d);
    const half = 2 ** (Math.floor(Math.log2(c)) - 53); // half an ulp of c (c is not a power of two here)
    const lo = big(c - 0, 30) - big(half, 30);
    const hi = big(c, 30) + big(half, 30);
    t.ok(lo * lo <= S && S <= hi * hi, `norm #${i} of ${d.join(',')}`);
  }
  t.equal(exactNorm([3, 4]), 5);
  t.equal(exactNorm([0, 0, 0]), 0);
});

/** Correctly rounded x·y + a for x, y, a in ±[1e-3, 1e3] (exact in 2^-200 fixed point). */
function exactFma(x: number, y: number, a: number): number {
  const X = BigInt(x * 2 ** 100);
  const Y = BigInt(y * 2 ** 100);
  const A = BigInt(a * 2 ** 200);
  return Number(X * Y + A) / 2 ** 200;
}

let seed = 12345;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const val = (): number => (rnd() < 0.5 ? -1 : 1) * 10 ** (rnd() * 6 - 3);

t.test('fma under cancellation (acc ≈ −x·y) against exact arithmetic', async (t) => {
  let plainDiffers = 0;
  let bad = 0;
  for (let i = 0; i < 20000; i++) {
    const x = val();
    const y = val();
    // acc near −x·y makes cancellation (the hard case) common
    const a = i % 2 === 0 ? val() : -(x * y) * (1 + (rnd() - 0.5) * 1e-6);
    if (Math.abs(a) < 1e-3 || Math.abs(a) > 1e3) continue;
    const want = exactFma(x, y, a);
    if (fma(x, y, a) !== want) bad++;
    if (x * y + a !== want) plainDiffers++;
  }
  t.equal(bad, 0, 'no mismatch against exact arithmetic');
  t.ok(plainDiffers > 100, `a plain x·y + acc differs in ${plainDiffers} cases (the emulation matters)`);
});

t.test('dot-product orders follow spec N2', async (t) => {
  const x = Array.from({ length: 37 }, () => rnd());
  const y = Array.from({ length: 37 }, () => rnd());
  // n < 16: plain left-to-right
  let s = 0;
  for (let i = 0; i < 15; i++) s = s + x[i]! * y[i]!;
  t.equal(dot(x, y, 15), s, 'ddot n < 16');
  // n ≥ 16: 16 fused accumulators, lane reduction, then the tail
  const acc = new Array<number>(16).fill(0);
  for (let b = 0; b < 32; b += 16) for (let q = 0; q < 16; q++) acc[q] = fma(x[b + q]!, y[b + q]!, acc[q]!);
  const h = [0, 1, 2, 3].map((r) => [acc[4 * r]! + acc[4 * r + 2]!, acc[4 * r + 1]! + acc[4 * r + 3]!] as const);
  let d = h[0]![0] + h[1]![0] + (h[2]![0] + h[3]![0]) + (h[0]![1] + h[1]![1] + (h[2]![1] + h[3]![1]));
  for (let i = 32; i < 37; i++) d = d + x[i]! * y[i]!;
  t.equal(dot(x, y, 37), d, 'ddot n = 37');
  // einsum: blocks of 8 in reverse pair order per lane, tail alternating lanes
  let l0 = 0;
  let l1 = 0;
  for (let b = 0; b + 8 <= 37; b += 8) {
    for (const o of [6, 4, 2, 0]) {
      l0 = x[b + o]! * y[b + o]! + l0;
      l1 = x[b + o + 1]! * y[b + o + 1]! + l1;
    }
  }
  for (let i = 32; i < 37; i++) {
    if ((i - 32) % 2 === 0) l0 = x[i]! * y[i]! + l0;
    else l1 = x[i]! * y[i]! + l1;
  }
  t.equal(einsumRowDot(x, 0, y, 0, 37), l0 + l1, 'einsum n = 37');
  let g = x[0]! * y[0]!;
  for (let i = 1; i < 37; i++) g = fma(x[i]!, y[i]!, g);
  t.equal(gemmDot(x, 0, y, 0, 37), g, 'gemm chain');
  t.equal(gemmDot([], 0, [], 0, 0), 0, 'gemm of empty vectors');
});

t.test('softmax: temperature floor, max shift, normalised', async (t) => {
  const out = new Float64Array(3);
  softmax([1, 2, 3], 1, out);
  t.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-15, 'sums to 1');
  t.ok(out[2]! > out[1]! && out[1]! > out[0]!, 'monotone');
  const zero = new Float64Array(2);
  const tiny = new Float64Array(2);
  softmax([0.5, 0.5000001], 0, zero);
  softmax([0.5, 0.5000001], 1e-6, tiny);
  t.same(Array.from(zero), Array.from(tiny), 'T = 0 acts like 1e-6');
  softmax([0.2, 0.7], 1, out, 0, 2, (v) => 1 - v);
  t.ok(out[0]! > out[1]!, 'map is applied before the softmax (softmin)');
});

t.test('lnInteger is correctly rounded where Math.log is not', async (t) => {
  // ln 3 = 1.0986122886681096913952…: the nearest double is 1.0986122886681098
  t.equal(lnInteger(3), 1.0986122886681098);
  t.equal(lnInteger(1), 0);
  t.equal(lnInteger(2), Math.LN2);
  t.equal(lnInteger(10), Math.LN10);
});

t.test('inspector selection (radix, stable) = the first m of a stable argsort', async (t) => {
  const { markLabelIssues } = await import('../../src/core/label-inspector.js');
  const { argsortStable } = await import('../../src/core/argsort.js');
  for (const f32 of [false, true]) {
    for (const [n, grid] of [[1000, 0.05], [5000, 0.001], [3000, 0]] as const) {
      const keys = f32 ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = grid ? Math.round((rnd() * 2 - 0.5) / grid) * grid : rnd() - 0.3;
        keys[i] = i % 97 === 0 ? -0 : i % 89 === 0 ? 0 : v; // ties, negatives, ±0
      }
      const ord = argsortStable(keys);
      for (const m of [1, 7, Math.floor(n / 3), n - 1]) {
        const want = new Uint8Array(n);
        for (let r = 0; r < m; r++) want[ord[r]!] = 1;
        const got = new Uint8Array(n);
        markLabelIssues(keys, m, 'stable', got);
        t.same(Array.from(got), Array.from(want), `${f32 ? 'float32' : 'float64'} n=${n} grid=${grid} m=${m}`);
      }
    }
  }
});
