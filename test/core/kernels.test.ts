/**
 * The fast kernels against plain reference implementations written from the spec:
 * - the confident-joint pass (float32 bit-pattern path, float64 path, exact row path for
 *   NaN / negative / > 1 / −0 values) against a naive §4 loop;
 * - the streaming prune selection (heap and sampled-bound tasks) against full stable sorts
 *   per (class, class) pair on large data with many exact ties (§10.3, §10.4);
 * - float32 input ≡ the same values as float64 for every filter_by.
 */
import t from 'tap';
import {
  argsortStable,
  clampedRange,
  computeConfidentJointFull,
  findLabelIssues,
  firstArgmax,
  givenIsNearArgmax,
  probMatrix,
  pruneCountMatrix,
  valueRange,
  FILTER_BY_VALUES,
  type FindLabelIssuesOptions,
  type ProbMatrix,
} from '../../src/core/index.js';
import { mulberry32 } from '../../seeds/synthetic.js';

/**
 * Noisy-label data whose probabilities sit on a grid (many exact ties), as float32 values
 * (so the float64 copy holds exactly the same numbers).
 */
function gridData(n: number, k: number, noise: number, seed: number, grid = 20): { labels: Int32Array; p32: ProbMatrix; p64: ProbMatrix } {
  const r = mulberry32(seed);
  const labels = new Int32Array(n);
  const d = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const y = Math.floor(r() * k);
    labels[i] = r() < noise ? Math.floor(r() * k) : y;
    let rest = grid;
    const w = new Array<number>(k).fill(0);
    const top = Math.min(rest, Math.floor(r() * grid * 0.8) + 1);
    w[r() < 0.85 ? y : Math.floor(r() * k)]! += top;
    rest -= top;
    while (rest > 0) {
      const j = Math.floor(r() * k);
      const step = Math.min(rest, 1 + Math.floor(r() * 3));
      w[j]! += step;
      rest -= step;
    }
    for (let j = 0; j < k; j++) d[i * k + j] = w[j]! / grid;
  }
  return { labels, p32: probMatrix(d, n, k), p64: probMatrix(Float64Array.from(d), n, k) };
}

/** Naive §3/§4: thresholds, confident joint (diagonal clipped), off-diagonal rows. */
function naiveJoint(labels: Int32Array, pp: ProbMatrix): { cj: number[]; off: number[] } {
  const { n, k, data } = pp;
  const sums = new Array<number[]>(k).fill([]).map(() => [] as number[]);
  for (let i = 0; i < n; i++) sums[labels[i]!]!.push(data[i * k + labels[i]!]!);
  const t = sums.map((xs) => {
    if (xs.length === 0) return 2;
    // pairwise sum (R3) written out again
    const psum = (a: number[]): number => {
      if (a.length < 8) return a.reduce((s, x) => s + x, 0);
      if (a.length <= 128) {
        const r = a.slice(0, 8);
        const m = a.length - (a.length % 8);
        let i = 8;
        for (; i < m; i += 8) for (let j = 0; j < 8; j++) r[j]! += a[i + j]!;
        let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
        for (; i < a.length; i++) s += a[i]!;
        return s;
      }
      let h = Math.floor(a.length / 2);
      h -= h % 8;
      return psum(a.slice(0, h)) + psum(a.slice(h));
    };
    return Math.max(psum(xs) / xs.length, 2e-6);
  });
  const cj = new Array<number>(k * k).fill(0);
  const off: number[] = [];
  for (let i = 0; i < n; i++) {
    const conf: number[] = [];
    for (let j = 0; j < k; j++) if (data[i * k + j]! >= t[j]! - 1e-6) conf.push(j);
    if (conf.length === 0) continue;
    const g = conf.length === 1 ? conf[0]! : firstArgmax(data, i * k, k);
    cj[labels[i]! * k + g]!++;
    if (g !== labels[i]) off.push(i);
  }
  for (let c = 0; c < k; c++) cj[c * k + c] = Math.max(cj[c * k + c]!, 1);
  return { cj, off };
}

t.test('confident-joint pass: float32 bits paths (narrow and wide rows), float64 path and exact rows equal the naive loop', async (t) => {
  for (const [n, k, seed] of [
    [3000, 3, 1],
    [2000, 10, 2],
    [400, 60, 3],
    // wide rows (K ≥ 64: blocks of 16 plus a tail)
    [300, 64, 4],
    [300, 100, 5],
    [150, 1000, 6],
  ] as const) {
    const { labels, p32, p64 } = gridData(n, k, 0.2, seed);
    // sprinkle awkward values: exact 0 and 1, −0, tiny, > 1, negative, NaN
    const specials = [0, 1, -0, 1e-7, 1.0000001, -1e-7, NaN, 0.5];
    const r = mulberry32(seed + 100);
    for (let s = 0; s < n / 20; s++) {
      const at = Math.floor(r() * n * k);
      const v = specials[s % specials.length]!;
      p32.data[at] = v;
      p64.data[at] = Math.fround(v);
    }
    const ref = naiveJoint(labels, p64);
    for (const [name, pp] of [
      ['float32', p32],
      ['float64', p64],
    ] as const) {
      const full = computeConfidentJointFull(labels, pp);
      t.same(Array.from(full.confidentJointFlat), ref.cj, `${n}×${k} ${name}: confident joint`);
      t.same(Array.from(full.offDiagonalIndices), ref.off, `${n}×${k} ${name}: off-diagonal rows`);
      let issues = 0;
      for (const i of ref.off) if (!givenIsNearArgmax(pp.data, i * k, k, labels[i]!)) issues++;
      t.equal(full.numOffDiagonalIssues, issues, `${n}×${k} ${name}: off-diagonal issues after the near-argmax filter`);
      const exact = valueRange(pp);
      t.same([full.minValue, full.maxValue], [Math.min(0, exact.min), Math.max(1, exact.max)], `${name}: clamped range`);
      t.same(clampedRange(pp), { min: full.minValue, max: full.maxValue }, `${name}: clampedRange`);
    }
  }
});

t.test('clampedRange recognises in-range data and widens only by out-of-range values', async (t) => {
  const inRange = probMatrix(Float32Array.from([0, 1, 0.5, 0.5, 1, 0]), 3, 2);
  t.same(clampedRange(inRange), { min: 0, max: 1 });
  t.same(clampedRange(probMatrix(Float64Array.from([0, 1, 0.5, 0.5, 1, 0]), 3, 2)), { min: 0, max: 1 });
  t.same(clampedRange(probMatrix(Float64Array.from([1.0000000001, 0, -2e-6, 0.3]), 2, 2)), { min: -2e-6, max: 1.0000000001 });
  t.same(clampedRange(probMatrix(Float32Array.from([NaN, 0.5, 0.5, 0.5]), 2, 2)), { min: 0, max: 1 }, 'NaN ignored');
});

/** Reference prune selections: full stable argsort per (class, class) pair. */
function referenceMask(labels: Int32Array, pp: ProbMatrix, opts: FindLabelIssuesOptions): number[] {
  const { n, k, data } = pp;
  const filterBy = opts.filterBy ?? 'prune_by_noise_rate';
  const minEx = opts.minExamplesPerClass ?? 1;
  const full = computeConfidentJointFull(labels, pp);
  const q = pruneCountMatrix(full.calibratedFlat, k, full.labelCounts, minEx, opts.fracNoise ?? 1, opts.numToRemovePerClass, 'stable', []);
  const rowsOf = (c: number): number[] => {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (labels[i] === c) rows.push(i);
    return rows;
  };
  const byClass = new Uint8Array(n);
  const byNoise = new Uint8Array(n);
  for (let c = 0; c < k; c++) {
    const rows = rowsOf(c);
    const m = rows.length;
    if (m <= minEx || m <= 1) continue;
    const u = m - q[c * k + c]!;
    if (u >= 1) {
      const ord = argsortStable(rows.map((i) => data[i * k + c]!));
      for (let t = 0; t < Math.min(u, m); t++) byClass[rows[ord[t]!]!] = 1;
    }
    for (let j = 0; j < k; j++) {
      if (j === c) continue;
      const v = q[j * k + c]!;
      if (!(v > 0)) continue;
      const ord = argsortStable(rows.map((i) => -(data[i * k + j]! - data[i * k + c]!)));
      for (let t = 0; t < Math.min(v, m); t++) byNoise[rows[ord[t]!]!] = 1;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const flagged = filterBy === 'both' ? byClass[i]! & byNoise[i]! : filterBy === 'prune_by_class' ? byClass[i]! : byNoise[i]!;
    if (flagged && !givenIsNearArgmax(data, i * k, k, labels[i]!)) out.push(i);
  }
  return out;
}

t.test('streaming prune selection equals full stable sorts (heap and sampled-bound tasks, heavy ties)', async (t) => {
  const cases: Array<[number, number, number, number, number]> = [
    // n, k, noise, seed, grid
    [40000, 3, 0.35, 11, 20], // large v in large classes: sampled-bound tasks
    [30000, 4, 0.15, 12, 40],
    [20000, 25, 0.3, 13, 20], // many small heap tasks
    [12000, 2, 0.45, 14, 10], // coarse grid: ties everywhere
  ];
  for (const [n, k, noise, seed, grid] of cases) {
    const { labels, p64 } = gridData(n, k, noise, seed, grid);
    const variants: FindLabelIssuesOptions[] = [
      { filterBy: 'prune_by_noise_rate' },
      { filterBy: 'prune_by_class' },
      { filterBy: 'both' },
      { filterBy: 'prune_by_noise_rate', fracNoise: 0.5 },
      { filterBy: 'prune_by_class', minExamplesPerClass: 5 },
    ];
    if (k <= 4) variants.push({ filterBy: 'prune_by_noise_rate', numToRemovePerClass: new Array<number>(k).fill(Math.floor(n / (3 * k))) });
    for (const opts of variants) {
      const got = Array.from(findLabelIssues(labels, p64, opts).indices);
      const expected = referenceMask(labels, p64, opts);
      t.ok(expected.length > 0, `${n}×${k} ${JSON.stringify(opts)}: non-trivial (${expected.length} flagged)`);
      t.same(got, expected, `${n}×${k} ${JSON.stringify(opts)}`);
    }
  }
});

t.test('float32 input gives exactly the float64 result of the same values, for every filter_by', async (t) => {
  const { labels, p32, p64 } = gridData(20000, 6, 0.25, 21, 50);
  for (const filterBy of FILTER_BY_VALUES) {
    const a = findLabelIssues(labels, p32, { filterBy });
    const b = findLabelIssues(labels, p64, { filterBy });
    t.same(Array.from(a.indices), Array.from(b.indices), filterBy);
  }
  const a = computeConfidentJointFull(labels, p32);
  const b = computeConfidentJointFull(labels, p64);
  t.same(Array.from(a.thresholds), Array.from(b.thresholds), 'thresholds');
  t.same(a.calibrated, b.calibrated, 'calibrated joint');
});

t.test('PruneSelector: heap, sampled bound, bound fallback and NaN keys equal a stable sort prefix', async (t) => {
  const { PruneSelector } = await import('../../src/core/filter.js');
  const r = mulberry32(5);
  const check = (name: string, keys: Float64Array, v: number): void => {
    // one class (label 0) of m rows; task j = −1 selects on P[n][0] = keys[n]
    const m = keys.length;
    const k = 2;
    const d = new Float64Array(m * k);
    for (let i = 0; i < m; i++) d[i * k] = keys[i]!;
    const labels = new Int32Array(m);
    const rows = Int32Array.from({ length: m }, (_, i) => i);
    const starts = Int32Array.from([0, m, m]);
    const out = new Uint8Array(m);
    const sel = new PruneSelector();
    sel.add(0, -1, v, out);
    sel.run(d, k, labels, rows, starts, 'stable');
    const expected = Array.from(argsortStable(keys).slice(0, Math.min(v, m))).sort((a, b) => a - b);
    const got: number[] = [];
    out.forEach((b, i) => b && got.push(i));
    t.same(got, expected, name);
  };
  const m = 20000;
  const ties = Float64Array.from({ length: m }, () => Math.floor(r() * 7) / 7);
  check('heap task, heavy ties', ties, 100);
  check('sampled bound, heavy ties', ties, 3000);
  const nan = Float64Array.from({ length: m }, () => (r() < 0.2 ? NaN : Math.floor(r() * 50)));
  check('heap task with NaN keys', nan, 200);
  check('bound task with NaN keys', nan, 5000);
  check('heap reaching into the NaN keys', Float64Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 1 : NaN)), 150);
  // adversarial order: the evenly spaced sample sees only the smallest keys, so the bound is
  // far too low and the task must fall back to a full selection
  const adv = new Float64Array(m).fill(1);
  for (let q = 0; q < 512; q++) adv[Math.floor(((q + 0.5) * m) / 512)] = -1;
  check('bound fallback (sample unrepresentative)', adv, 2000);
  check('v ≥ m flags everything', ties.slice(0, 50), 80);
});

t.test('findLabelIssuesWithRanking = findLabelIssuesRanked, with the get_label_quality_scores values', async (t) => {
  const { findLabelIssuesRanked, findLabelIssuesWithRanking, getLabelQualityScores } = await import('../../src/core/index.js');
  const { labels, p32 } = gridData(8000, 5, 0.25, 31, 40);
  for (const rankBy of ['self_confidence', 'normalized_margin', 'confidence_weighted_entropy'] as const) {
    for (const adjustPredProbs of rankBy === 'confidence_weighted_entropy' ? [false] : [false, true]) {
      const r = findLabelIssuesWithRanking(labels, p32, { rankBy, adjustPredProbs });
      const ranked = findLabelIssuesRanked(labels, p32, { rankBy, adjustPredProbs });
      t.same(Array.from(r.ranked), Array.from(ranked), `${rankBy} adjust=${adjustPredProbs}: same order`);
      const all = getLabelQualityScores(labels, p32, { method: rankBy, adjustPredProbs });
      t.same(Array.from(r.rankedScores), Array.from(r.ranked, (i) => all[i]!), 'scores of the ranked rows');
      t.same(Array.from(r.indices), Array.from(findLabelIssues(labels, p32).indices), 'same flagged set');
    }
  }
});
