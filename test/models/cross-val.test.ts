/**
 * models/cross-val.ts: out-of-fold predicted probabilities from features, and the lead's
 * engine (findLabelIssues, default options) finding flipped labels from them.
 * Data: seeded Gaussian blobs, 600 rows × 8 features, 3 classes (test/models/blobs.ts).
 */
import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { InputError } from '../../src/core/errors.js';
import { findLabelIssues } from '../../src/core/filter.js';
import {
  crossValPredProbs,
  deriveSeed,
  getTfBackend,
  SoftmaxRegression,
  standardizeByRows,
  stratifiedFolds,
  type CrossValResult,
} from '../../models/index.js';
import { bayesClass, flipLabels, makeBlobs } from './blobs.js';

await getTfBackend();

const N = 600;
const D = 8;
const K = 3;
const FOLDS = 5;
const SEED = 42;
const blobs = makeBlobs(N, D, K, 1.5, 1);
const features = { data: blobs.data, n: N, d: D };

const tensorsBefore = tf.memory().numTensors;
const run1 = await crossValPredProbs(features, blobs.labels, { seed: SEED });
const tensorsAfter = tf.memory().numTensors;
const run2 = await crossValPredProbs(features, blobs.labels, { seed: SEED });

function argmax(p: Float64Array, i: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c;
  return best;
}

t.test('out-of-fold probabilities: shape, rows sum to 1, folds', async (t) => {
  const r: CrossValResult = run1;
  t.equal(r.n, N);
  t.equal(r.k, K);
  t.equal(r.predProbs.length, N * K, 'N×K');
  t.ok(['cpu', 'tensorflow'].includes(r.backend), `trained on ${r.backend}`);
  t.same(r.warnings, [], 'no warnings on balanced data');
  let worst = 0;
  let outside = 0;
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let c = 0; c < K; c++) {
      const v = r.predProbs[i * K + c]!;
      if (!(v >= 0 && v <= 1)) outside++;
      s += v;
    }
    worst = Math.max(worst, Math.abs(s - 1));
  }
  t.equal(outside, 0, 'every probability in [0, 1]');
  t.ok(worst < 1e-12, `rows sum to 1 in float64 (worst |Σ−1| = ${worst.toExponential(2)})`);
  // stratified: fold sizes and per-class counts per fold differ by at most 1
  const perFold = Array.from({ length: FOLDS }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < N; i++) {
    const f = r.foldOf[i]!;
    if (!(f >= 0 && f < FOLDS)) t.fail(`foldOf[${i}] = ${f}`);
    perFold[f]![blobs.labels[i]!]!++;
  }
  t.same(perFold.map((c) => c.reduce((a, b) => a + b, 0)), [120, 120, 120, 120, 120], 'five folds of 120 rows');
  for (let c = 0; c < K; c++) {
    const counts = perFold.map((row) => row[c]!);
    t.ok(Math.max(...counts) - Math.min(...counts) <= 1, `class ${c} spread evenly over the folds: ${counts.join(', ')}`);
  }
});

t.test('deterministic: the same seed gives bit-identical results', async (t) => {
  t.same(Array.from(run2.foldOf), Array.from(run1.foldOf), 'same folds');
  let differing = 0;
  for (let p = 0; p < N * K; p++) if (!Object.is(run1.predProbs[p], run2.predProbs[p])) differing++;
  t.equal(differing, 0, 'same probabilities, bit for bit');
  const other = stratifiedFolds(blobs.labels, K, FOLDS, SEED + 1);
  let moved = 0;
  for (let i = 0; i < N; i++) if (other[i] !== run1.foldOf[i]) moved++;
  t.ok(moved > N / 2, `another seed assigns other folds (${moved} of ${N} rows move)`);
});

t.test('no tensors leak from a cross-validation run', async (t) => {
  t.equal(tensorsAfter, tensorsBefore, `tf.memory().numTensors ${tensorsBefore} before, ${tensorsAfter} after`);
  await t.rejects(crossValPredProbs({ data: new Float32Array(3), n: 3, d: 1 }, new Int32Array([0, 1, 1]), { folds: 4 }), InputError);
  t.equal(tf.memory().numTensors, tensorsBefore, 'and none from a rejected one');
});

t.test('out-of-fold accuracy on well-separated blobs', async (t) => {
  let correct = 0;
  let bayes = 0;
  for (let i = 0; i < N; i++) {
    if (argmax(run1.predProbs, i, K) === blobs.labels[i]) correct++;
    if (bayesClass(blobs, i) === blobs.labels[i]) bayes++;
  }
  t.equal(run1.oofAccuracy, correct / N, 'oofAccuracy = share of rows whose argmax is the label');
  t.ok(run1.oofAccuracy > 0.85, `out-of-fold accuracy ${run1.oofAccuracy} > 0.85`);
  t.ok(run1.oofAccuracy >= bayes / N - 0.03, `within 0.03 of the Bayes rule (${bayes / N})`);
});

t.test("each row's probabilities come from the model trained without its fold", async (t) => {
  // Rebuild fold 3 by hand from the exported pieces: standardise with the other folds' rows,
  // train on them only, predict fold 3.
  const f = 3;
  const foldOf = stratifiedFolds(blobs.labels, K, FOLDS, SEED);
  t.same(Array.from(foldOf), Array.from(run1.foldOf), 'stratifiedFolds is the fold assignment used');
  const test: number[] = [];
  const train: number[] = [];
  for (let i = 0; i < N; i++) (foldOf[i] === f ? test : train).push(i);
  const z = standardizeByRows(features, Int32Array.from(train), Int32Array.from(test));
  const model = new SoftmaxRegression({ seed: deriveSeed(SEED, f + 1) });
  model.fit({ data: z.train, n: train.length, d: D }, Int32Array.from(train, (i) => blobs.labels[i]!), K);
  const p = model.predictProba({ data: z.test, n: test.length, d: D });
  model.dispose();
  let worst = 0;
  test.forEach((row, tt) => {
    for (let c = 0; c < K; c++) worst = Math.max(worst, Math.abs(p[tt * K + c]! - run1.predProbs[row * K + c]!));
  });
  t.ok(worst < 1e-6, `fold ${f} rows match a model that never saw them (max |Δ| = ${worst.toExponential(2)})`);
  // and differ from a model that did see them (in-sample fit on all rows)
  const all = standardizeByRows(features, Int32Array.from({ length: N }, (_, i) => i), Int32Array.from(test));
  const seen = new SoftmaxRegression().fit({ data: all.train, n: N, d: D }, blobs.labels, K);
  const q = seen.predictProba({ data: all.test, n: test.length, d: D });
  seen.dispose();
  let diff = 0;
  for (let p2 = 0; p2 < q.length; p2++) diff = Math.max(diff, Math.abs(q[p2]! - p[p2]!));
  t.ok(diff > 1e-4, `the in-sample model gives other probabilities (max |Δ| = ${diff.toExponential(2)})`);
});

t.test('findLabelIssues on out-of-fold probabilities finds flipped labels', async (t) => {
  const { noisy, flipped } = flipLabels(blobs.labels, K, 0.1, 7);
  t.equal(flipped.length, 60, '10% of the labels flipped');
  let changed = 0;
  for (const i of flipped) if (noisy[i] !== blobs.labels[i]) changed++;
  t.equal(changed, 60, 'every flipped label differs from the true one');
  const r = await crossValPredProbs(features, noisy, { seed: SEED });
  let vsTrue = 0;
  for (let i = 0; i < N; i++) if (argmax(r.predProbs, i, K) === blobs.labels[i]) vsTrue++;
  t.ok(vsTrue / N > 0.9, `trained on noisy labels, argmax still matches the TRUE label for ${vsTrue / N} of rows`);
  const found = findLabelIssues(noisy, { data: r.predProbs, n: N, k: K });
  const isFlipped = new Set(flipped);
  let tp = 0;
  for (const i of found.indices) if (isFlipped.has(i)) tp++;
  const recall = tp / flipped.length;
  const precision = tp / found.indices.length;
  t.ok(recall > 0.75, `recall ${recall.toFixed(3)} > 0.75 (${tp} of ${flipped.length} flipped rows flagged)`);
  t.ok(precision > 0.75, `precision ${precision.toFixed(3)} > 0.75 (${tp} of ${found.indices.length} flagged rows were flipped)`);
});

t.test('standardizeByRows uses the training rows only', async (t) => {
  // 4 rows × 3 columns; column 2 constant on the training rows
  const x = { data: new Float32Array([1, 10, 5, 3, 20, 5, 5, 30, 5, 100, -7, 9]), n: 4, d: 3 };
  const z = standardizeByRows(x, Int32Array.from([0, 1, 2]), Int32Array.from([3]));
  const sd0 = Math.sqrt(8 / 3); // column 0 on rows 0..2: mean 3, population variance 8/3
  const sd1 = Math.sqrt(200 / 3); // column 1: mean 20, variance 200/3
  const expectTrain = [-2 / sd0, -10 / sd1, 0, 0, 0, 0, 2 / sd0, 10 / sd1, 0];
  const expectTest = [97 / sd0, -27 / sd1, 4];
  z.train.forEach((v, p) => t.ok(Math.abs(v - expectTrain[p]!) < 1e-6, `train[${p}] = ${v} ≈ ${expectTrain[p]}`));
  z.test.forEach((v, p) => t.ok(Math.abs(v - expectTest[p]!) < 1e-5, `test[${p}] = ${v} ≈ ${expectTest[p]} (train mean/std, constant column only centred)`));
});

t.test('bad input: InputError naming the field and the row/column', async (t) => {
  const bad = Float32Array.from(blobs.data);
  bad[3 * D + 2] = Number.NaN;
  const e1 = await crossValPredProbs({ data: bad, n: N, d: D }, blobs.labels).catch((e: unknown) => e);
  t.ok(e1 instanceof InputError, 'NaN feature → InputError');
  t.match(e1, { field: 'features', row: 3, column: 2, message: /features row 3 column 2 is NaN/ });
  const cases: [string, () => Promise<unknown>, string, RegExp][] = [
    ['n×d mismatch', () => crossValPredProbs({ data: blobs.data, n: N, d: D + 1 }, blobs.labels), 'features', /expected n×d = 600×9/],
    ['labels length', () => crossValPredProbs(features, blobs.labels.subarray(1)), 'labels', /599 entries but features has 600 rows/],
    ['negative label', () => crossValPredProbs(features, Int32Array.from(blobs.labels, (v, i) => (i === 5 ? -1 : v))), 'labels', /labels row 5 is -1/],
    ['label ≥ num_classes', () => crossValPredProbs(features, blobs.labels, { numClasses: 2 }), 'labels', /labels row 2 is 2; labels must be < num_classes = 2/],
    ['one class', () => crossValPredProbs(features, new Int32Array(N)), 'labels', /only class 0; need at least 2 classes/],
    ['num_classes', () => crossValPredProbs(features, blobs.labels, { numClasses: 1.5 }), 'num_classes', /num_classes must be an integer ≥ 2, got 1.5/],
    ['folds < 2', () => crossValPredProbs(features, blobs.labels, { folds: 1 }), 'folds', /folds must be an integer ≥ 2, got 1/],
    ['folds > n', () => crossValPredProbs({ data: blobs.data.subarray(0, 3 * D), n: 3, d: D }, new Int32Array([0, 1, 0]), { folds: 4 }), 'folds', /more than the 3 rows/],
    ['learning rate', () => crossValPredProbs(features, blobs.labels, { learningRate: 0 }), 'learning_rate', /learning_rate must be a finite number > 0, got 0/],
    ['epochs', () => crossValPredProbs(features, blobs.labels, { epochs: 2.5 }), 'epochs', /epochs must be an integer ≥ 1/],
  ];
  for (const [name, call, field, message] of cases) {
    const e = await call().catch((err: unknown) => err);
    t.ok(e instanceof InputError, `${name} → InputError`);
    t.match(e, { field, message }, `${name}: ${(e as Error).message}`);
  }
});

t.test('a class smaller than the number of folds: warning, still N×K probabilities', async (t) => {
  const n = 43;
  const labels = Int32Array.from({ length: n }, (_, i) => (i < 3 ? 2 : i % 2));
  const small = { data: blobs.data.subarray(0, n * D), n, d: D };
  const r = await crossValPredProbs(small, labels, { epochs: 5 });
  t.match(r.warnings, [/class 2 has only 3 rows, fewer than folds = 5/]);
  t.equal(r.predProbs.length, n * 3);
  const folds2 = new Set<number>();
  for (let i = 0; i < 3; i++) folds2.add(r.foldOf[i]!);
  t.equal(folds2.size, 3, 'the 3 rows of class 2 sit in 3 different folds');
});
