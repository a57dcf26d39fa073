/**
 * models/softmax-regression.ts: the fitted weights minimise the documented objective
 * (checked in float64 outside tfjs), predictions are probabilities, training is
 * deterministic, options are validated, and no tensor outlives dispose().
 */
import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import {
  FULL_BATCH_MAX_ROWS,
  getTfBackend,
  resolveSoftmaxRegressionOptions,
  SoftmaxRegression,
  softmaxRegressionDefaults,
} from '../../models/index.js';
import { bayesClass, makeBlobs } from './blobs.js';

await getTfBackend();

/** Column-standardised copy (population std), so a plain model trains well. */
function standardized(data: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += data[i * d + j]!;
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (data[i * d + j]! - m) ** 2;
    const s = Math.sqrt(v / n);
    for (let i = 0; i < n; i++) out[i * d + j] = (data[i * d + j]! - m) / s;
  }
  return out;
}

/** mean CE + λ/2‖W‖² and its gradient, in float64, from weights read out of the model. */
function objective(x: Float32Array, y: Int32Array, n: number, d: number, k: number, w: ArrayLike<number>, b: ArrayLike<number>, l2: number) {
  let loss = 0;
  const gw = new Float64Array(d * k);
  const gb = new Float64Array(k);
  const z = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = b[c]!;
      for (let j = 0; j < d; j++) s += x[i * d + j]! * w[j * k + c]!;
      z[c] = s;
      if (s > mx) mx = s;
    }
    let se = 0;
    for (let c = 0; c < k; c++) se += Math.exp(z[c]! - mx);
    const lse = mx + Math.log(se);
    loss -= (z[y[i]!]! - lse) / n;
    for (let c = 0; c < k; c++) {
      const r = (Math.exp(z[c]! - lse) - (y[i] === c ? 1 : 0)) / n;
      gb[c]! += r;
      for (let j = 0; j < d; j++) gw[j * k + c]! += x[i * d + j]! * r;
    }
  }
  let sq = 0;
  for (let p = 0; p < d * k; p++) {
    sq += w[p]! * w[p]!;
    gw[p]! += l2 * w[p]!;
  }
  return { loss: loss + 0.5 * l2 * sq, gw, gb };
}

const N = 240;
const D = 5;
const K = 3;
const blobs = makeBlobs(N, D, K, 1.8, 11);
const X = standardized(blobs.data, N, D);
const Y = blobs.labels;

t.test('full-batch Adam reaches the minimum of mean-CE + λ/2‖W‖²', async (t) => {
  const l2 = 0.05;
  const model = new SoftmaxRegression({ epochs: 400, l2 });
  model.fit({ data: X, n: N, d: D }, Y);
  const { w, b } = model.weights();
  t.equal(w.length, D * K, 'W is D×K');
  t.equal(b.length, K, 'b has K entries');
  const at = objective(X, Y, N, D, K, w, b, l2);
  let maxGrad = 0;
  for (const g of [...at.gw, ...at.gb]) maxGrad = Math.max(maxGrad, Math.abs(g));
  t.ok(maxGrad < 1e-4, `gradient at the fitted weights is ~0 (max |∂| = ${maxGrad.toExponential(2)})`);
  t.ok(Math.abs(model.trainingLoss - at.loss) < 1e-5, `trainingLoss ${model.trainingLoss} = objective ${at.loss}`);
  // a minimum: nudging the weights any of 20 seeded ways does not lower the objective
  let rnd = 12345;
  const next = () => ((rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  let lower = 0;
  for (let trial = 0; trial < 20; trial++) {
    const w2 = Array.from(w, (v) => v + 0.02 * next());
    const b2 = Array.from(b, (v) => v + 0.02 * next());
    if (objective(X, Y, N, D, K, w2, b2, l2).loss < at.loss - 1e-9) lower++;
  }
  t.equal(lower, 0, 'no perturbation lowers the objective');
  // regularisation shrinks the weights
  const weak = new SoftmaxRegression({ epochs: 400, l2: 0.001 }).fit({ data: X, n: N, d: D }, Y);
  const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
  t.ok(norm(weak.weights().w) > 1.5 * norm(w), `‖W‖ with λ=0.001 (${norm(weak.weights().w).toFixed(2)}) > ‖W‖ with λ=0.05 (${norm(w).toFixed(2)})`);
  weak.dispose();
  model.dispose();
});

t.test('predictProba returns N×K probabilities and fits the training data', async (t) => {
  const model = new SoftmaxRegression().fit({ data: X, n: N, d: D }, Y);
  const p = model.predictProba({ data: X, n: N, d: D });
  t.equal(p.length, N * K);
  let worst = 0;
  let correct = 0;
  for (let i = 0; i < N; i++) {
    let s = 0;
    let best = 0;
    for (let c = 0; c < K; c++) {
      const v = p[i * K + c]!;
      if (!(v >= 0 && v <= 1)) t.fail(`p[${i}][${c}] = ${v} is not in [0, 1]`);
      s += v;
      if (v > p[i * K + best]!) best = c;
    }
    worst = Math.max(worst, Math.abs(s - 1));
    if (best === Y[i]) correct++;
  }
  t.ok(worst < 1e-5, `rows sum to 1 in float32 (worst |Σ−1| = ${worst.toExponential(2)})`);
  let bayes = 0;
  for (let i = 0; i < N; i++) if (bayesClass(blobs, i) === Y[i]) bayes++;
  t.ok(correct / N >= bayes / N - 0.03, `training accuracy ${correct / N} ≥ Bayes-rule accuracy ${bayes / N} − 0.03`);
  t.ok(correct / N > 0.75, `training accuracy ${correct / N} > 0.75 (chance is 1/3)`);
  // predictions of a subset equal the matching rows of the full prediction
  const sub = model.predictProba({ data: X.subarray(10 * D, 20 * D), n: 10, d: D });
  t.same(Array.from(sub), Array.from(p.subarray(10 * K, 20 * K)), 'row-wise: predicting rows 10..19 alone gives the same values');
  // Float64Array features are accepted and converted
  const p64 = model.predictProba({ data: Float64Array.from(X), n: N, d: D });
  t.same(Array.from(p64), Array.from(p), 'Float64Array input gives the same probabilities');
  t.same(model.fittedOptions, { epochs: 100, learningRate: 0.05, l2: 1e-3 + (0.05 * D) / N, batchSize: 0, seed: 0 }, 'small data: full-batch defaults');
  model.dispose();
  t.throws(() => model.predictProba({ data: X, n: N, d: D }), /not fitted/, 'disposed model cannot predict');
});

t.test('training is deterministic; the mini-batch order follows the seed', async (t) => {
  const fit = (opts: ConstructorParameters<typeof SoftmaxRegression>[0]) => {
    const m = new SoftmaxRegression(opts).fit({ data: X, n: N, d: D }, Y);
    const out = m.weights();
    m.dispose();
    return [...out.w, ...out.b];
  };
  t.same(fit({ epochs: 30 }), fit({ epochs: 30 }), 'full batch: identical weights');
  const a = fit({ epochs: 5, batchSize: 32, seed: 7 });
  t.same(fit({ epochs: 5, batchSize: 32, seed: 7 }), a, 'mini-batch, same seed: identical weights');
  const c = fit({ epochs: 5, batchSize: 32, seed: 8 });
  t.not(JSON.stringify(c), JSON.stringify(a), 'mini-batch, another seed: different weights');
  t.same(fit({ epochs: 3, batchSize: N }), fit({ epochs: 3, batchSize: 0 }), 'batchSize ≥ N is full batch');
});

t.test('options: defaults by training-set size, validation', async (t) => {
  t.equal(softmaxRegressionDefaults(FULL_BATCH_MAX_ROWS, 8).batchSize, 0);
  t.same(softmaxRegressionDefaults(10_000, 400), { epochs: 10, learningRate: 0.01, l2: 0.003, batchSize: 256, seed: 0 });
  t.same(resolveSoftmaxRegressionOptions({ epochs: 3, l2: 0 }, 10, 2), { epochs: 3, learningRate: 0.05, l2: 0, batchSize: 0, seed: 0 });
  t.throws(() => new SoftmaxRegression({ epochs: 0 }), /epochs must be an integer ≥ 1, got 0/);
  t.throws(() => new SoftmaxRegression({ learningRate: -1 }), /learningRate must be a finite number > 0/);
  t.throws(() => new SoftmaxRegression({ l2: Number.NaN }), /l2 must be a finite number ≥ 0/);
  t.throws(() => new SoftmaxRegression({ batchSize: 1.5 }), /batchSize must be an integer/);
  const m = new SoftmaxRegression({ epochs: 1 });
  t.throws(() => m.fit({ data: X, n: N, d: D + 1 }, Y), /data has 1200 values, expected n×d = 240×6/);
  t.throws(() => m.fit({ data: X, n: N, d: D }, Y.subarray(1)), /239 labels for 240 rows/);
  t.throws(() => m.fit({ data: X, n: N, d: D }, Y, 2), /label 2 is ≥ numClasses = 2/);
  t.throws(() => m.fit({ data: X, n: N, d: D }, new Int32Array(N)), /need at least 2 classes, got 1/);
  m.fit({ data: X, n: N, d: D }, Y);
  t.throws(() => m.predictProba({ data: X, n: N / D, d: D * D }), /model has 5 features, got d=25/);
  m.dispose();
});

t.test('no tensor leaks: fit holds exactly W and b until dispose', async (t) => {
  const before = tf.memory().numTensors;
  const m = new SoftmaxRegression({ epochs: 3 });
  m.fit({ data: X, n: N, d: D }, Y);
  t.equal(tf.memory().numTensors, before + 2, 'after fit: W and b only');
  m.fit({ data: X, n: N, d: D }, Y); // refit replaces the weights
  m.predictProba({ data: X, n: N, d: D });
  t.equal(tf.memory().numTensors, before + 2, 'after refit + predict: still W and b only');
  new SoftmaxRegression({ epochs: 2, batchSize: 50, seed: 1 }).fit({ data: X, n: N, d: D }, Y).dispose();
  t.equal(tf.memory().numTensors, before + 2, 'a mini-batch fit + dispose of another model leaves nothing behind');
  t.throws(() => m.fit({ data: X, n: N, d: D }, Y, 2), /numClasses/);
  t.equal(tf.memory().numTensors, before + 2, 'a rejected fit allocates nothing and keeps the fitted weights');
  t.equal(m.predictProba({ data: X.subarray(0, D), n: 1, d: D }).length, K, '… which still predict');
  m.dispose();
  m.dispose();
  t.equal(tf.memory().numTensors, before, 'after dispose (twice): back to the baseline');
});
