import t from 'tap';
import { Matrix as MlMatrix, inverse as mlInverse } from 'ml-matrix';
import {
  conditionNumber1,
  inverse,
  invertNoiseMatrix,
  luDecompose,
  luSolve,
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
