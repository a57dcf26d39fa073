/**
 * Part N kernels against exact arithmetic: the emulated fma rounds once (checked with BigInt
 * on dyadic values), fsum is exact where it must be, Python's round(x, 2) breaks exact ties to
 * even, the scipy norm is correctly rounded, and DOT / EINSUM / GEMM follow their orders.
 */
import t from 'tap';
import { dot, einsumRowDot, exactNorm, fma, fsum, gemmDot, pyRound2, softmax } from '../../src/core/float-kernels.js';

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

t.test('dot-product orders', async (t) => {
  const x = Array.from({ length: 37 }, (_, i) => 1 / (i + 3));
  const y = Array.from({ length: 37 }, (_, i) => Math.sqrt(i + 1));
  const plain = (n: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i]! * y[i]!;
    return s;
  };
  t.equal(dot(x, y, 15), plain(15), 'DOT below 16 elements is the plain left-to-right sum');
  // GEMM: an fma chain
  let acc = x[0]! * y[0]!;
  for (let i = 1; i < 37; i++) acc = fma(x[i]!, y[i]!, acc);
  t.equal(gemmDot(x, 0, y, 0, 37), acc);
  // EINSUM on 3 elements: lanes (e0 + e2, e1)
  t.equal(einsumRowDot([1, 2, 3], 0, [4, 5, 6], 0, 3), 1 * 4 + 3 * 6 + 2 * 5);
  for (const n of [16, 37]) t.ok(Math.abs(dot(x, y, n) - plain(n)) < 1e-14, `DOT(${n}) ≈ the plain sum`);
});

t.test('softmax', async (t) => {
  const w = softmax([1, 2, 3], 1, new Float64Array(3));
  t.ok(Math.abs(w[0]! + w[1]! + w[2]! - 1) < 1e-15);
  t.ok(w[2]! > w[1]! && w[1]! > w[0]!);
  const z = softmax([1, 2], 0, new Float64Array(2));
  t.same(Array.from(z), [0, 1], 'T = 0 acts as 1e-6');
});
