/**
 * Part N kernels (src/core/task-kernels.ts): the emulated fused multiply-add against exact
 * BigInt arithmetic, the dot-product orders against their definitions, the softmax helper.
 */
import t from 'tap';
import { lnInteger } from '../../src/core/numeric.js';
import { dotBlas, dotEinsum, dotGemm, fma, softmaxInto } from '../../src/core/task-kernels.js';

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

t.test('fma is the correctly rounded x·y + acc', async (t) => {
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
  t.equal(dotBlas(x, 0, y, 0, 15), s, 'ddot n < 16');
  // n ≥ 16: 16 fused accumulators, lane reduction, then the tail
  const acc = new Array<number>(16).fill(0);
  for (let b = 0; b < 32; b += 16) for (let q = 0; q < 16; q++) acc[q] = fma(x[b + q]!, y[b + q]!, acc[q]!);
  const h = [0, 1, 2, 3].map((r) => [acc[4 * r]! + acc[4 * r + 2]!, acc[4 * r + 1]! + acc[4 * r + 3]!] as const);
  let d = h[0]![0] + h[1]![0] + (h[2]![0] + h[3]![0]) + (h[0]![1] + h[1]![1] + (h[2]![1] + h[3]![1]));
  for (let i = 32; i < 37; i++) d = d + x[i]! * y[i]!;
  t.equal(dotBlas(x, 0, y, 0, 37), d, 'ddot n = 37');
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
  t.equal(dotEinsum(x, 0, y, 0, 37), l0 + l1, 'einsum n = 37');
  let g = x[0]! * y[0]!;
  for (let i = 1; i < 37; i++) g = fma(x[i]!, y[i]!, g);
  t.equal(dotGemm(x, 0, y, 0, 37), g, 'gemm chain');
  t.equal(dotGemm([], 0, [], 0, 0), 0, 'gemm of empty vectors');
});

t.test('softmax: temperature floor, max shift, normalised', async (t) => {
  const out = new Float64Array(3);
  softmaxInto([1, 2, 3], 0, 3, 1, out);
  t.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-15, 'sums to 1');
  t.ok(out[2]! > out[1]! && out[1]! > out[0]!, 'monotone');
  const zero = new Float64Array(2);
  const tiny = new Float64Array(2);
  softmaxInto([0.5, 0.5000001], 0, 2, 0, zero);
  softmaxInto([0.5, 0.5000001], 0, 2, 1e-6, tiny);
  t.same(Array.from(zero), Array.from(tiny), 'T = 0 acts like 1e-6');
  softmaxInto([0.2, 0.7], 0, 2, 1, out, 0, (v) => 1 - v);
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
