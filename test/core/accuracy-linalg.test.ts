import t from 'tap';
import { Matrix as MlMatrix, inverse as mlInverse } from 'ml-matrix';
import {
  conditionNumber1,
  FAST_PATH_MAX_CONDITION,
  inverse,
  inverseOrdered,
  invertNoiseMatrix,
  luDecompose,
  luSolve,
  markowitzOrder,
  MAX_CONDITION_NUMBER,
  norm1,
} from '../../src/core/linalg.js';
import { lcg32 } from '../../seeds/synthetic.js';

function close(a: number, b: number, tol = 1e-9): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

t.test('LU with partial pivoting picks the largest |entry| and reconstructs P·A = L·U', (t) => {
  const a = [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 10],
  ];
  const d = luDecompose(a);
  t.equal(d.singular, false);
  // First pivot: row 2 (|7| is the largest of column 0).
  t.equal(d.perm[0], 2);
  const n = 3;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k <= Math.min(i, j); k++) {
        const l = k === i ? 1 : d.lu[i * n + k]!;
        s += l * d.lu[k * n + j]!;
      }
      t.ok(close(s, a[d.perm[i]!]![j]!), `(PA)[${i}][${j}]`);
    }
  }
  const x = luSolve(d, [6, 15, 25]);
  t.ok(close(x[0]!, 1) && close(x[1]!, 1) && close(x[2]!, 1), 'solves A x = b');
  t.end();
});

t.test('pivot ties go to the first row', (t) => {
  const d = luDecompose([
    [-2, 1],
    [2, 3],
  ]);
  t.equal(d.perm[0], 0, '|−2| = |2|: keep the first');
  t.end();
});

t.test('inverse of the spec binary noise matrix (CA-spec §4)', (t) => {
  const inv = inverse([
    [0.9, 0.2],
    [0.1, 0.8],
  ])!;
  const want = [
    [0.8 / 0.7, -0.2 / 0.7],
    [-0.1 / 0.7, 0.9 / 0.7],
  ];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) t.ok(close(inv[i]![j]!, want[i]![j]!, 1e-12));
  t.ok(close(inv[0]![0]!, 1.142857, 1e-6));
  t.ok(close(inv[1]![1]!, 1.285714, 1e-6));
  t.end();
});

t.test('inverse agrees with ml-matrix on random column-stochastic matrices', (t) => {
  const r = lcg32(7);
  for (let trial = 0; trial < 50; trial++) {
    const k = 2 + Math.floor(r() * 9);
    const a: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < k; i++) {
        const v = i === j ? 2 + r() * k : r();
        a[i]![j] = v;
        s += v;
      }
      for (let i = 0; i < k; i++) a[i]![j] = a[i]![j]! / s;
    }
    const ours = inverse(a)!;
    const theirs = mlInverse(new MlMatrix(a)).to2DArray();
    let worst = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(ours[i]![j]! - theirs[i]![j]!));
    t.ok(worst < 1e-10, `trial ${trial} K=${k}: max diff ${worst}`);
    const cond = conditionNumber1(a, ours);
    t.ok(cond >= 1 - 1e-12, 'κ₁ ≥ 1');
  }
  t.end();
});

t.test('norm1 is the largest absolute column sum', (t) => {
  t.equal(
    norm1([
      [1, -7],
      [-2, -3],
    ]),
    10,
  );
  t.end();
});

t.test('invertNoiseMatrix: singular and ill-conditioned rules', (t) => {
  // An all-zero column (a class absent from the labels).
  const zeroCol = invertNoiseMatrix([
    [1, 0, 0.5],
    [0, 0, 0.5],
    [0, 0, 0],
  ]);
  t.same(zeroCol, { ok: false, reason: 'noise_matrix_singular', condition: null });
  // No zero column, but the LU hits an exactly-zero pivot.
  const zeroPivot = invertNoiseMatrix([
    [0.5, 0.5],
    [0.5, 0.5],
  ]);
  t.same(zeroPivot, { ok: false, reason: 'noise_matrix_singular', condition: null });
  // Nearly singular: κ₁ ≈ 1e13 > 1e12.
  const d = 1e-13;
  const ill = invertNoiseMatrix([
    [0.5, 0.5 + d],
    [0.5, 0.5 - d],
  ]);
  t.equal(ill.ok, false);
  if (!ill.ok) {
    t.equal(ill.reason, 'noise_matrix_ill_conditioned');
    t.ok(ill.condition! > 1e12);
  }
  // Just well enough conditioned: κ₁ ≈ 1e10.
  const fine = invertNoiseMatrix([
    [0.5, 0.5 + 1e-10],
    [0.5, 0.5 - 1e-10],
  ]);
  t.equal(fine.ok, true);
  if (fine.ok) t.ok(fine.condition < 1e12 && fine.condition > 1e9, `κ₁ = ${fine.condition}`);
  // Identity: κ₁ = 1.
  const id = invertNoiseMatrix([
    [1, 0],
    [0, 1],
  ]);
  t.same(id, { ok: true, inverse: [[1, 0], [0, 1]], condition: 1 });
  t.end();
});

// ---------------------------------------------------------------------------------------
// Fill-reducing order: the plain natural-order LU (`inverse`) is the oracle.

type Kind = 'dominant' | 'swapped' | 'plain' | 'zero-row' | 'shared-row' | 'dup-col' | 'near-dup';

/** Random sparse K×K matrix with columns summing to 1 (a noise matrix) of the given kind. */
function randomSparse(r: () => number, k: number, kind: Kind, density: number, delta = 0): number[][] {
  const a: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) if (i !== j && r() < density) a[i]![j] = r();
    if (kind === 'plain') {
      // No dominance: a diagonal often smaller than the off-diagonal entries (row swaps);
      // kept nonzero so that the matrix is structurally nonsingular.
      a[j]![j] = 0.01 + r() * 0.5;
    } else {
      let off = 0;
      for (let i = 0; i < k; i++) if (i !== j) off += a[i]![j]!;
      a[j]![j] = off * (1.05 + r()) + 0.1;
    }
  }
  // Every column nonzero (the all-zero-column rule is tested separately).
  for (let j = 0; j < k; j++) {
    if (a.every((row) => row[j] === 0)) a[j]![j] = 1;
  }
  if (kind === 'swapped') {
    // Dominant matrix with its rows shuffled: partial pivoting has to swap rows back.
    const order = Array.from({ length: k }, (_, i) => i);
    for (let i = k - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const rows = order.map((i) => a[i]!);
    for (let i = 0; i < k; i++) a[i] = rows[i]!;
  }
  const c1 = Math.floor(r() * k);
  let c2 = Math.floor(r() * (k - 1));
  if (c2 >= c1) c2++;
  if (kind === 'zero-row') {
    // A class never given: a zero row (no column is zero) → structurally singular.
    const i = Math.floor(r() * k);
    for (let j = 0; j < k; j++) a[i]![j] = 0;
    for (let j = 0; j < k; j++) if (a.every((row) => row[j] === 0)) a[(i + 1) % k]![j] = 1;
  } else if (kind === 'shared-row') {
    // Two columns whose only nonzero is in the same row → structurally singular.
    const i = Math.floor(r() * k);
    for (let x = 0; x < k; x++) {
      a[x]![c1] = 0;
      a[x]![c2] = 0;
    }
    a[i]![c1] = 1;
    a[i]![c2] = 1;
  } else if (kind === 'dup-col') {
    for (let x = 0; x < k; x++) a[x]![c2] = a[x]![c1]!;
  } else if (kind === 'near-dup') {
    // Column c2 = column c1 + δ·(noise): κ₁ of order 1/δ.
    for (let x = 0; x < k; x++) a[x]![c2] = a[x]![c1]! + (x === c2 ? delta : delta * (r() - 0.5));
  }
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += a[i]![j]!;
    if (s !== 0) for (let i = 0; i < k; i++) a[i]![j] = a[i]![j]! / s;
  }
  return a;
}

/** The plain algorithm of corrected-accuracy.md §4, natural order (no reordering). */
function naturalClassification(a: number[][]): { reason: string; inv: number[][] | null; cond: number | null } {
  for (let j = 0; j < a.length; j++) if (a.every((row) => row[j] === 0)) return { reason: 'noise_matrix_singular', inv: null, cond: null };
  const inv = inverse(a);
  if (inv === null) return { reason: 'noise_matrix_singular', inv: null, cond: null };
  const cond = conditionNumber1(a, inv);
  return { reason: cond <= MAX_CONDITION_NUMBER ? 'ok' : 'noise_matrix_ill_conditioned', inv, cond };
}

function maxAbs(a: number[][]): number {
  let m = 0;
  for (const row of a) for (const v of row) m = Math.max(m, Math.abs(v));
  return m;
}

function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a.length; j++) m = Math.max(m, Math.abs(a[i]![j]! - b[i]![j]!));
  return m;
}

function isPermutation(q: Int32Array, k: number): boolean {
  const seen = new Uint8Array(k);
  for (const v of q) {
    if (v < 0 || v >= k || seen[v] === 1) return false;
    seen[v] = 1;
  }
  return q.length === k;
}

function permuted(a: number[][], q: Int32Array): number[][] {
  return Array.from({ length: a.length }, (_, i) => Array.from({ length: a.length }, (_, j) => a[q[i]!]![q[j]!]!));
}

function factorNonzeros(a: number[][]): number {
  const d = luDecompose(a);
  let c = 0;
  for (const v of d.lu) if (v !== 0) c++;
  return c;
}

const SIZES = [2, 3, 4, 5, 7, 10, 16, 25, 40, 64, 100, 150, 300];

t.test('markowitzOrder: a permutation that removes the fill of an arrow matrix', (t) => {
  const k = 50;
  // Dense first row and column plus the diagonal: the natural order fills in completely,
  // eliminating the hub last fills nothing.
  const a: number[][] = Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => (i === j ? 4 : i === 0 || j === 0 ? 0.01 : 0)),
  );
  const q = markowitzOrder(a);
  t.ok(isPermutation(q, k), 'a permutation of 0..K−1');
  t.ok(q.indexOf(0) >= k - 2, 'the hub is eliminated last (tied with the last leaf)');
  t.equal(factorNonzeros(a), k * k, 'natural order: full fill');
  t.equal(factorNonzeros(permuted(a, q)), 3 * k - 2, 'Markowitz order: no fill');
  t.same(Array.from(markowitzOrder(a)), Array.from(q), 'deterministic');
  // The inverse is unchanged (up to rounding) by the order.
  const want = inverse(a)!;
  const got = inverseOrdered(a, q)!;
  t.ok(maxDiff(want, got) <= 1e-12 * maxAbs(want), `max diff ${maxDiff(want, got)}`);
  t.end();
});

t.test('markowitzOrder reduces the LU fill of random sparse noise matrices', (t) => {
  const r = lcg32(11);
  for (const k of [100, 300]) {
    const a = randomSparse(r, k, 'dominant', 4 / k);
    const q = markowitzOrder(a);
    t.ok(isPermutation(q, k));
    const natural = factorNonzeros(a);
    const ordered = factorNonzeros(permuted(a, q));
    t.ok(ordered < natural / 2, `K=${k}: factor nonzeros ${natural} → ${ordered}`);
  }
  t.end();
});

t.test('inverseOrdered matches the natural-order LU inverse on random sparse matrices', (t) => {
  const r = lcg32(2026);
  let compared = 0;
  let bothNull = 0;
  let swapped = 0;
  for (const kind of ['dominant', 'swapped', 'plain', 'zero-row'] as const) {
    for (const k of SIZES) {
      for (const density of [1.5 / k, 5 / k, 0.3]) {
        const a = randomSparse(r, k, kind, Math.min(1, density));
        const want = inverse(a);
        const got = inverseOrdered(a);
        if (kind === 'zero-row') {
          // A zero row is never updated by elimination and is never chosen as a pivot while
          // a nonzero candidate exists: an exactly-zero pivot in every order.
          t.equal(want, null, `${kind} K=${k}: natural order hits a zero pivot`);
          t.equal(got, null, `${kind} K=${k}: reordered LU hits a zero pivot`);
          bothNull++;
          continue;
        }
        t.not(want, null, `${kind} K=${k}: natural order nonsingular`);
        t.not(got, null, `${kind} K=${k}: reordered nonsingular`);
        if (want === null || got === null) continue;
        // Backward-stable inverses agree to about κ·u; 1e-12 relative to the largest
        // entry, widened only for the poorly conditioned 'plain' draws.
        const cond = conditionNumber1(a, want);
        const tol = Math.max(1e-12, cond * 1e-15);
        const diff = maxDiff(want, got) / maxAbs(want);
        t.ok(diff <= tol, `${kind} K=${k} density=${density.toFixed(3)} κ=${cond.toExponential(2)}: rel diff ${diff.toExponential(2)}`);
        if (kind !== 'plain') t.ok(diff <= 1e-12, `${kind} K=${k}: within 1e-12 relative`);
        if (luDecompose(a).perm.some((p, i) => p !== i)) swapped++;
        compared++;
      }
    }
  }
  t.equal(compared, 3 * SIZES.length * 3, 'every nonsingular draw compared');
  t.equal(bothNull, SIZES.length * 3, 'every zero-row draw singular in both orders');
  t.ok(swapped >= SIZES.length * 3, `${swapped} draws needed row swaps`);
  t.end();
});

t.test('invertNoiseMatrix classifies exactly like the natural-order algorithm', (t) => {
  const r = lcg32(99);
  const seen = new Map<string, number>();
  const cases: { kind: Kind; delta?: number }[] = [
    { kind: 'dominant' },
    { kind: 'swapped' },
    { kind: 'plain' },
    { kind: 'zero-row' },
    // Structurally singular (two columns with their only nonzero in the same row) and
    // duplicate columns: rounding usually leaves a tiny nonzero pivot, in either order, so
    // these end up ill-conditioned (or singular), decided by the natural-order fallback.
    { kind: 'shared-row' },
    { kind: 'dup-col' },
    { kind: 'near-dup', delta: 1e-3 },
    { kind: 'near-dup', delta: 1e-7 },
    { kind: 'near-dup', delta: 1e-10 },
    { kind: 'near-dup', delta: 1e-13 },
    { kind: 'near-dup', delta: 1e-16 },
  ];
  for (const { kind, delta } of cases) {
    for (const k of SIZES) {
      const a = randomSparse(r, k, kind, Math.min(1, 4 / k), delta);
      const want = naturalClassification(a);
      const got = invertNoiseMatrix(a);
      const reason = got.ok ? 'ok' : got.reason;
      seen.set(reason, (seen.get(reason) ?? 0) + 1);
      t.equal(reason, want.reason, `${kind}${delta === undefined ? '' : ` δ=${delta}`} K=${k}: ${want.reason}`);
      if (got.ok && want.inv !== null) {
        t.ok(maxDiff(got.inverse, want.inv) <= 1e-12 * Math.max(1, want.cond! / 1e3) * maxAbs(want.inv), `K=${k}: inverse matches`);
        // κ₁ from two backward-stable inverses: equal to about κ·u relative.
        t.ok(close(got.condition, want.cond!, Math.max(1e-12, want.cond! * 1e-14)), `K=${k}: κ₁ ${got.condition} vs ${want.cond}`);
        if (want.cond! > FAST_PATH_MAX_CONDITION) {
          // Above the fast-path bound the natural-order result is returned as is.
          t.same(got, { ok: true, inverse: want.inv, condition: want.cond }, 'natural-order fallback');
        }
      }
      if (!got.ok && got.reason === 'noise_matrix_ill_conditioned') t.equal(got.condition, want.cond, 'same κ₁ reported');
    }
  }
  t.ok((seen.get('ok') ?? 0) > 0, 'some ok');
  t.ok((seen.get('noise_matrix_singular') ?? 0) > 0, 'some singular');
  t.ok((seen.get('noise_matrix_ill_conditioned') ?? 0) > 0, 'some ill-conditioned');
  t.end();
});

t.test('invertNoiseMatrix: well-conditioned sparse input takes the reordered path', (t) => {
  const r = lcg32(5);
  const a = randomSparse(r, 120, 'swapped', 3 / 120);
  const got = invertNoiseMatrix(a);
  t.equal(got.ok, true);
  if (got.ok) {
    t.same(got.inverse, inverseOrdered(a), 'the reordered inverse');
    t.equal(got.condition, norm1(a) * norm1(got.inverse), 'κ₁ from the true 1-norms');
    const want = inverse(a)!;
    t.ok(maxDiff(got.inverse, want) <= 1e-12 * maxAbs(want));
  }
  // Non-finite entries always go to the natural order.
  const bad = randomSparse(r, 6, 'dominant', 0.5);
  bad[2]![3] = Number.NaN;
  const natural = inverse(bad);
  const res = invertNoiseMatrix(bad);
  t.equal(res.ok, false, 'NaN entry: not ok');
  if (!res.ok && natural !== null) t.equal(res.reason, 'noise_matrix_ill_conditioned');
  t.end();
});
