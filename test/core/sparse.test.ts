/**
 * The K×K steps on the confident joint's nonzero pattern (src/core/sparse.ts) against the
 * dense code they replace, bit for bit (Object.is on every float64, so −0 and NaN count):
 * - sparsePairwiseSum ≡ pairwiseSum of the materialised vector (every split size);
 * - calibrateSparse ≡ calibrateFlat (both memory orders) and its pattern ≡ the nonzeros;
 * - adjustRow ≡ the stable-sort choice of ROUND_PRESERVING_SUM over the whole row;
 * - the engine (calibration, joint, latent estimates, class health, every filter_by) with the
 *   patterns ≡ the same engine with them removed (the dense paths).
 */
import t from 'tap';
import {
  calibrateFlat,
  computeConfidentJointFull,
  estimateJointFlat,
  estimatePyAndNoiseMatricesFlat,
  findLabelIssues,
  FILTER_BY_VALUES,
  pairwiseSum,
  probMatrix,
  rankClassesByLabelQuality,
  roundPreservingSum,
  sparsePairwiseSum,
  type ConfidentJointResult,
  type FilterBy,
} from '../../src/core/index.js';
import { adjustRow, calibrateSparse, nonzeroPositions, sparseMemoryOrderSum } from '../../src/core/sparse.js';
import { mulberry32 } from '../../seeds/synthetic.js';

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} ≠ ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `[${i}]: ${a[i]} ≠ ${b[i]}`;
  return null;
}

t.test('sparsePairwiseSum equals pairwiseSum of the materialised vector', async (t) => {
  const r = mulberry32(11);
  let cases = 0;
  for (const len of [0, 1, 7, 8, 9, 15, 16, 17, 127, 128, 129, 136, 255, 256, 1000, 4096, 4097, 10_007, 65_536]) {
    for (const density of [0, 0.001, 0.02, 0.3, 1]) {
      const x = new Float64Array(len);
      const pos: number[] = [];
      for (let i = 0; i < len; i++) {
        if (r() >= density) continue;
        const u = r();
        // mixed magnitudes and signs (never −0), now and then NaN or ±Infinity
        x[i] = u < 0.01 ? NaN : u < 0.02 ? -Infinity : (r() < 0.3 ? -1 : 1) * 10 ** (r() * 12 - 6);
        pos.push(i);
      }
      const p = Int32Array.from(pos);
      const vals = Float64Array.from(pos, (i) => x[i]!);
      const dense = pairwiseSum(x, 0, len);
      // the whole run, and a sub-run [a, b) starting at an odd offset
      if (!Object.is(sparsePairwiseSum(p, vals, 0, p.length, 0, len), dense)) t.fail(`len ${len} density ${density}: whole run`);
      const a = Math.min(len, 3);
      const b = Math.max(a, len - 5);
      const lo = pos.findIndex((i) => i >= a);
      const from = lo < 0 ? p.length : lo;
      let to = from;
      while (to < p.length && p[to]! < b) to++;
      if (!Object.is(sparsePairwiseSum(p, vals, from, to, a, b - a), pairwiseSum(x, a, b))) t.fail(`len ${len} density ${density}: [${a}, ${b})`);
      cases++;
    }
  }
  t.pass(`${cases} vectors, whole runs and sub-runs identical`);
});

t.test('sparseMemoryOrderSum sums a K×K pattern in row- or column-major memory order', async (t) => {
  const r = mulberry32(21);
  let checked = 0;
  for (const k of [1, 2, 7, 12, 40, 129, 300]) {
    for (const density of [0.003, 0.05, 0.5]) {
      const pos: number[] = [];
      for (let p = 0; p < k * k; p++) if (r() < density) pos.push(p);
      const a = Float64Array.from(pos, () => r() * 10 ** Math.floor(r() * 8));
      const rowMajor = new Float64Array(k * k);
      const colMajor = new Float64Array(k * k);
      pos.forEach((p, t2) => {
        const i = Math.floor(p / k);
        const j = p % k;
        rowMajor[p] = a[t2]!;
        colMajor[j * k + i] = a[t2]!;
      });
      const p32 = Int32Array.from(pos);
      t.ok(Object.is(sparseMemoryOrderSum(p32, a, k, false), pairwiseSum(rowMajor)), `k ${k} density ${density}: row-major`);
      t.ok(Object.is(sparseMemoryOrderSum(p32, a, k, true), pairwiseSum(colMajor)), `k ${k} density ${density}: column-major`);
      checked++;
    }
  }
  t.equal(checked, 21, 'every shape checked');
});

/** A sparse non-negative integer count matrix with a clipped diagonal, as the joint pass makes. */
function countMatrix(k: number, density: number, r: () => number): Float64Array {
  const m = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) m[i * k + j] = 1 + Math.floor(r() * 500);
      else if (r() < density) m[i * k + j] = 1 + Math.floor(r() * (r() < 0.5 ? 3 : 60));
    }
  }
  return m;
}

t.test('calibrateSparse equals calibrateFlat (column and row order), with the calibrated pattern', async (t) => {
  const r = mulberry32(5);
  // the dense per-row fallback: ROUND_PRESERVING_SUM of one row (calibrateFlat's rounding)
  const rounding = (row: Float64Array, out: Float64Array, oo: number) => out.set(roundPreservingSum(row), oo);
  let sparseRuns = 0;
  for (const k of [2, 3, 5, 17, 64, 150]) {
    for (const density of [0, 0.01, 0.1, 0.6]) {
      for (let rep = 0; rep < 4; rep++) {
        const cj = countMatrix(k, density, r);
        const counts = Float64Array.from({ length: k }, (_, i) => (r() < 0.1 ? 0 : Math.floor(r() * 3000)));
        for (const colMajor of [true, false]) {
          const nz = nonzeroPositions(cj)!;
          const s = calibrateSparse(cj, k, counts, colMajor, nz, rounding);
          const dense = calibrateFlat(cj, k, counts, colMajor ? 'column' : 'row', 'stable');
          if (!s) {
            // positive row sums and finite counts ≥ 0: the sparse formulas always apply
            t.fail(`k ${k} density ${density}: unexpected dense fallback`);
            continue;
          }
          sparseRuns++;
          const diff = firstDifference(s.out, dense);
          if (diff) t.fail(`k ${k} density ${density} ${colMajor ? 'column' : 'row'}: ${diff}`);
          if (s.pattern) {
            const want = nonzeroPositions(dense);
            if (firstDifference(s.pattern, want ?? new Int32Array(0))) t.fail(`k ${k}: calibrated pattern`);
          }
        }
      }
    }
  }
  t.ok(sparseRuns > 100, `${sparseRuns} sparse calibrations identical to the dense ones`);
});

t.test('adjustRow makes the stable-sort moves of ROUND_PRESERVING_SUM, or declines', async (t) => {
  const r = mulberry32(9);
  let applied = 0;
  let declined = 0;
  for (let rep = 0; rep < 3000; rep++) {
    const k = 2 + Math.floor(r() * 30);
    const o = k * Math.floor(r() * 3); // the row's offset in a larger matrix
    const slots: number[] = [];
    for (let j = 0; j < k; j++) if (r() < 0.4) slots.push(j);
    const f = new Float64Array(slots.length);
    const rr = new Float64Array(slots.length);
    for (let t2 = 0; t2 < slots.length; t2++) {
      const v = r() < 0.3 ? Math.floor(r() * 5) : Math.floor(r() * 8) / 4; // integers and quarter steps: many ties
      f[t2] = v === 0 ? 0.25 : v;
      let q = Math.round(f[t2]!);
      if (q - f[t2]! === 0.5 && q % 2 !== 0) q -= 1;
      rr[t2] = q;
    }
    const diff = (r() < 0.5 ? -1 : 1) * (1 + Math.floor(r() * 4));
    const pos = Int32Array.from(slots, (j) => o + j);
    const out = new Float64Array(o + k);
    const ok = adjustRow(pos, f, rr, 0, slots.length, o, k, diff, out, []);
    // reference: keys d = f − r over the whole row (0 for the zeros), stable sort
    const d = new Array<number>(k).fill(0);
    const base = new Array<number>(k).fill(0);
    slots.forEach((j, t2) => {
      d[j] = f[t2]! - rr[t2]!;
      base[j] = rr[t2]!;
    });
    const m = Math.abs(diff);
    const idx = Array.from({ length: k }, (_, j) => j);
    const order = diff < 0 ? idx.sort((a, b) => d[a]! - d[b]! || a - b) : idx.sort((a, b) => d[b]! - d[a]! || b - a);
    const picked = order.slice(0, m);
    const beyondZero = picked.some((j) => (diff < 0 ? d[j]! > 0 : d[j]! < 0));
    if (m >= k || beyondZero) {
      if (ok) t.fail(`rep ${rep}: should decline (m ${m}, k ${k})`);
      declined++;
      continue;
    }
    if (!ok) {
      t.fail(`rep ${rep}: declined a case it covers`);
      continue;
    }
    for (const j of picked) base[j] = base[j]! + (diff < 0 ? -1 : 1);
    const diffs = firstDifference(out.subarray(o, o + k), base);
    if (diffs) t.fail(`rep ${rep}: ${diffs}`);
    applied++;
  }
  t.ok(applied > 1000, `${applied} rows adjusted like the stable sort`);
  t.ok(declined > 10, `${declined} rows declined (moves beyond the zeros)`);
});

/** Noisy labels and sharp probabilities over K classes: a sparse confident joint. */
function dataset(n: number, k: number, seed: number): { labels: Int32Array; pp: ReturnType<typeof probMatrix> } {
  const r = mulberry32(seed);
  const labels = new Int32Array(n);
  const d = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const y = Math.floor(r() * k);
    labels[i] = r() < 0.15 ? Math.floor(r() * k) : y;
    let s = 0;
    for (let j = 0; j < k; j++) {
      const v = Math.exp((j === y ? 4 : 0) + 2 * r());
      d[i * k + j] = v;
      s += v;
    }
    for (let j = 0; j < k; j++) d[i * k + j] = d[i * k + j]! / s;
  }
  return { labels, pp: probMatrix(d, n, k) };
}

/** The same precomputed result with the patterns removed: every step takes its dense path. */
function withoutPatterns(pre: ConfidentJointResult): ConfidentJointResult {
  const calibratedFlat = calibrateFlat(pre.confidentJointFlat, pre.k, pre.labelCounts, 'column', pre.tieOrder);
  return Object.assign(Object.create(Object.getPrototypeOf(pre) as object) as ConfidentJointResult, pre, {
    calibratedFlat,
    confidentJointNonzeros: null,
    calibratedNonzeros: null,
  });
}

t.test('the engine on the nonzero patterns equals the dense engine', async (t) => {
  let compared = 0;
  for (const [n, k, seed] of [
    [400, 3, 1],
    [2000, 20, 2],
    [3000, 150, 3],
    [1500, 300, 4],
  ] as const) {
    const { labels, pp } = dataset(n, k, seed);
    const pre = computeConfidentJointFull(labels, pp);
    t.ok(pre.calibratedNonzeros, `${n}×${k}: the calibrated joint has a pattern`);
    const dense = withoutPatterns(pre);
    const same = (what: string, a: ArrayLike<number>, b: ArrayLike<number>) => {
      const d = firstDifference(a, b);
      t.equal(d, null, `${n}×${k}: ${what}`);
      compared++;
    };
    same('calibrated joint', pre.calibratedFlat, dense.calibratedFlat);
    const js = estimateJointFlat(labels, pp, { precomputed: pre });
    const jd = estimateJointFlat(labels, pp, { precomputed: dense });
    t.ok(js.nonzeros && !jd.nonzeros, `${n}×${k}: sparse and dense joints were both exercised`);
    same('joint', js.flat, jd.flat);
    const ls = estimatePyAndNoiseMatricesFlat(labels, pp, { precomputed: pre });
    const ld = estimatePyAndNoiseMatricesFlat(labels, pp, { precomputed: dense });
    same('py', ls.py, ld.py);
    same('noise matrix', ls.nm, ld.nm);
    same('inverse noise matrix', ls.inv, ld.inv);
    t.same(
      rankClassesByLabelQuality(labels, pp, { jointFlat: js }),
      rankClassesByLabelQuality(labels, pp, { jointFlat: jd }),
      `${n}×${k}: class health`,
    );
    for (const filterBy of FILTER_BY_VALUES as readonly FilterBy[]) {
      for (const opts of [{}, { fracNoise: 0.5 }, { minExamplesPerClass: 40 }]) {
        const a = findLabelIssues(labels, pp, { filterBy, ...opts }, pre);
        const b = findLabelIssues(labels, pp, { filterBy, ...opts }, dense);
        same(`find ${filterBy} ${JSON.stringify(opts)}`, a.indices, b.indices);
      }
    }
  }
  t.ok(compared > 100, `${compared} results compared`);
});
