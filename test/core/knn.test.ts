/**
 * kNearest's fast path (plain float64 pre-pass + exact re-evaluation within an error margin)
 * returns exactly the k smallest of the spec's exact distances (F4), on data with exact
 * duplicates and near-ties, for the GEMM-euclidean and cosine paths.
 */
import t from 'tap';
import { einsumRowDot, gemmDot } from '../../src/core/float-kernels.js';
import { featureMatrix, kNearest, type DistancePath, type FeatureMatrix } from '../../src/core/knn.js';

function data(n: number, d: number, seed: number): FeatureMatrix {
  let s = seed;
  const r = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s / 4294967296);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    if (i % 7 === 3) x.set(x.subarray((i - 1) * d, i * d), i * d); // exact duplicate of the previous row
    else for (let j = 0; j < d; j++) x[i * d + j] = Math.round(r() * 20) / 4 + (i % 11 === 0 ? 1e-9 * j : 0);
  }
  return featureMatrix(x, n, d);
}

/** The spec's distances computed directly, all pairs, sorted by (distance, index). */
function reference(x: FeatureMatrix, k: number, path: DistancePath): number[][] {
  const { n, d, data: a } = x;
  const rows = new Float64Array(a.length);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s = s + a[i * d + j]! * a[i * d + j]!;
    sq[i] = s;
    let nrm = Math.sqrt(einsumRowDot(a, i * d, a, i * d, d));
    if (nrm < 10 * Number.EPSILON) nrm = 1;
    for (let j = 0; j < d; j++) rows[i * d + j] = path === 'cosine' ? a[i * d + j]! / nrm : a[i * d + j]!;
  }
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const all: Array<[number, number]> = [];
    for (let j = 0; j < n; j++) {
      const g = gemmDot(rows, i * d, rows, j * d, d);
      const v = path === 'cosine' ? Math.min(2, Math.max(0, 1 + -g)) : Math.sqrt(Math.max(0, sq[i]! + -2 * g + sq[j]!));
      all.push([v, j]);
    }
    all.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    out.push(all.slice(0, k).map((p) => p[0]));
  }
  return out;
}

for (const [path, d] of [['gemm_euclidean', 2], ['gemm_euclidean', 40], ['cosine', 8], ['cosine', 64]] as const) {
  t.test(`${path}, ${d} features`, async (t) => {
    const x = data(240, d, d * 31 + 7);
    const copy = featureMatrix(x.data.slice(), x.n, x.d);
    const k = 12;
    const got = kNearest(x, copy, k, path, false);
    const want = reference(x, k, path);
    let mismatches = 0;
    for (let i = 0; i < x.n; i++) for (let c = 0; c < k; c++) if (got.dist[i * k + c] !== want[i]![c]) mismatches++;
    t.equal(mismatches, 0, 'identical k smallest distances');
  });
}
