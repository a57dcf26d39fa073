/**
 * Out-of-sample predicted probabilities from features (embeddings) by stratified K-fold
 * cross-validation of a softmax regression — the `pred_probs` confident learning needs
 * when a user has embeddings but no held-out model outputs.
 *
 * For each fold f: standardise every feature with the mean and (population) standard
 * deviation of the rows NOT in f, train models/softmax-regression.ts on those rows, and
 * predict the rows in f. Each row's probabilities therefore come from a model that never
 * saw it. Rows are returned in float64, renormalised to sum to 1.
 *
 * Folds are stratified and deterministic: the rows of each class are shuffled by a PRNG
 * seeded with `seed`, classes are laid end to end (class 0 first), and row t of that order
 * goes to fold t mod folds — so fold sizes differ by at most 1 and so do the per-class
 * counts of any two folds.
 */
import { getTfBackend } from '../src/backend.js';
import { InputError } from '../src/core/errors.js';
import { deriveSeed, mulberry32, shuffleInPlace } from './random.js';
import { SoftmaxRegression, type FeatureMatrix, type SoftmaxRegressionOptions } from './softmax-regression.js';

export interface CrossValOptions {
  /** Number of folds (≥ 2, ≤ N). Default 5. */
  folds?: number;
  /**
   * Training of each fold's softmax regression; defaults depend on the fold's training
   * rows (softmaxRegressionDefaults): ≤ 2048 rows → full batch, 100 epochs, step 0.05;
   * more → batches of 256, 10 epochs, step 0.01.
   */
  epochs?: number;
  learningRate?: number;
  /** L2 penalty λ (mean-CE + λ/2‖W‖²). Default 1e-3 + 0.05·D/(training rows). */
  l2?: number;
  /** Rows per Adam step, 0 = full batch. */
  batchSize?: number;
  /** Seed of the fold assignment and the mini-batch order. Default 0. */
  seed?: number;
  /** Number of classes K; default max(label) + 1. */
  numClasses?: number;
  /** Called after each fold is predicted (fold is 0-based). */
  onFold?: (fold: number, folds: number) => void;
}

export interface CrossValResult {
  /** N×K row-major out-of-fold probabilities; every row sums to 1. */
  predProbs: Float64Array;
  /** fold (0-based) of each row: its probabilities come from the model trained without it. */
  foldOf: Int32Array;
  n: number;
  k: number;
  /** Share of rows whose out-of-fold argmax (first maximum) equals the given label. */
  oofAccuracy: number;
  /** Non-fatal problems (e.g. a class with fewer rows than folds). */
  warnings: string[];
  /** tfjs backend that trained the models (`cpu` or `tensorflow`). */
  backend: string;
}

/**
 * Stratified fold of each row (see the file comment). `k` = number of classes;
 * labels must already be validated.
 */
export function stratifiedFolds(labels: Int32Array, k: number, folds: number, seed: number): Int32Array {
  const n = labels.length;
  const start = new Int32Array(k + 1);
  for (let i = 0; i < n; i++) start[labels[i]! + 1]!++;
  for (let c = 0; c < k; c++) start[c + 1]! += start[c]!;
  const order = new Int32Array(n);
  const fill = start.slice(0, k);
  for (let i = 0; i < n; i++) order[fill[labels[i]!]!++] = i;
  const rng = mulberry32(deriveSeed(seed, 0));
  for (let c = 0; c < k; c++) shuffleInPlace(order, rng, start[c]!, start[c + 1]!);
  const foldOf = new Int32Array(n);
  for (let t = 0; t < n; t++) foldOf[order[t]!] = t % folds;
  return foldOf;
}

function checkInputs(
  features: FeatureMatrix,
  labels: Int32Array,
  opts: CrossValOptions,
): { k: number; folds: number; counts: Int32Array } {
  const { data, n, d } = features;
  if (!Number.isInteger(n) || n < 1) throw new InputError('features', `features must have at least 1 row, got n=${n}`);
  if (!Number.isInteger(d) || d < 1) throw new InputError('features', `features must have at least 1 column, got d=${d}`);
  if (data.length !== n * d) {
    throw new InputError('features', `features has ${data.length} values; expected n×d = ${n}×${d} = ${n * d}`);
  }
  for (let p = 0; p < data.length; p++) {
    const v = data[p]!;
    if (!Number.isFinite(v)) {
      const row = Math.floor(p / d);
      const column = p - row * d;
      throw new InputError('features', `features row ${row} column ${column} is ${v}; all features must be finite numbers`, {
        row,
        column,
      });
    }
  }
  if (labels.length !== n) {
    throw new InputError('labels', `labels has ${labels.length} entries but features has ${n} rows; they must match`);
  }
  let maxLabel = -1;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y < 0) throw new InputError('labels', `labels row ${i} is ${y}; labels must be integers ≥ 0`, { row: i });
    if (y > maxLabel) maxLabel = y;
  }
  const k = opts.numClasses ?? maxLabel + 1;
  if (opts.numClasses !== undefined && (!Number.isInteger(k) || k < 2)) {
    throw new InputError('num_classes', `num_classes must be an integer ≥ 2, got ${String(k)}`);
  }
  if (k < 2) throw new InputError('labels', `labels contain only class 0; need at least 2 classes to train a classifier`);
  if (maxLabel >= k) {
    const row = labels.indexOf(maxLabel);
    throw new InputError('labels', `labels row ${row} is ${maxLabel}; labels must be < num_classes = ${k}`, { row });
  }
  const folds = opts.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2) throw new InputError('folds', `folds must be an integer ≥ 2, got ${folds}`);
  if (folds > n) throw new InputError('folds', `folds = ${folds} is more than the ${n} rows`);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) counts[labels[i]!]!++;
  return { k, folds, counts };
}

function checkModelOptions(opts: CrossValOptions): SoftmaxRegressionOptions {
  const model: SoftmaxRegressionOptions = {};
  const set = <K extends keyof SoftmaxRegressionOptions>(key: K, field: string, ok: (v: number) => boolean, rule: string) => {
    const v = opts[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !ok(v)) throw new InputError(field, `${field} must be ${rule}, got ${String(v)}`);
    model[key] = v;
  };
  set('epochs', 'epochs', (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  set('learningRate', 'learning_rate', (v) => Number.isFinite(v) && v > 0, 'a finite number > 0');
  set('l2', 'l2', (v) => Number.isFinite(v) && v >= 0, 'a finite number ≥ 0');
  set('batchSize', 'batch_size', (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0 (0 = full batch)');
  set('seed', 'seed', (v) => Number.isInteger(v), 'an integer');
  return model;
}

/**
 * Standardise the columns of the rows in `train` (and `test`) with the mean and population
 * standard deviation of the `train` rows, accumulated in float64. A constant column
 * (std 0) is only centred.
 */
export function standardizeByRows(
  x: FeatureMatrix,
  train: Int32Array,
  test: Int32Array,
): { train: Float32Array; test: Float32Array } {
  const { data, d } = x;
  const m = train.length;
  const mean = new Float64Array(d);
  for (let t = 0; t < m; t++) {
    const off = train[t]! * d;
    for (let j = 0; j < d; j++) mean[j]! += data[off + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= m;
  const scale = new Float64Array(d);
  for (let t = 0; t < m; t++) {
    const off = train[t]! * d;
    for (let j = 0; j < d; j++) {
      const c = data[off + j]! - mean[j]!;
      scale[j]! += c * c;
    }
  }
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt(scale[j]! / m);
    scale[j] = sd > 0 && Number.isFinite(1 / sd) ? 1 / sd : 1;
  }
  const apply = (rows: Int32Array): Float32Array => {
    const out = new Float32Array(rows.length * d);
    for (let t = 0; t < rows.length; t++) {
      const off = rows[t]! * d;
      const o = t * d;
      for (let j = 0; j < d; j++) out[o + j] = (data[off + j]! - mean[j]!) * scale[j]!;
    }
    return out;
  };
  return { train: apply(train), test: apply(test) };
}

/**
 * Out-of-fold predicted probabilities of a softmax regression on `features`, by stratified
 * K-fold cross-validation (see the file comment). Deterministic for a given seed and
 * backend. Throws InputError on bad input.
 */
export async function crossValPredProbs(
  features: FeatureMatrix,
  labels: Int32Array,
  opts: CrossValOptions = {},
): Promise<CrossValResult> {
  const { k, folds, counts } = checkInputs(features, labels, opts);
  const modelOpts = checkModelOptions(opts);
  const seed = opts.seed ?? 0;
  const { n } = features;
  const warnings: string[] = [];
  let least = 0;
  for (let c = 1; c < k; c++) if (counts[c]! < counts[least]!) least = c;
  if (counts[least]! < folds) {
    warnings.push(
      `class ${least} has only ${counts[least]} rows, fewer than folds = ${folds}; some folds train without it and its out-of-fold probabilities are unreliable`,
    );
  }

  const { backend } = await getTfBackend();
  const foldOf = stratifiedFolds(labels, k, folds, seed);
  const foldSize = new Int32Array(folds);
  for (let i = 0; i < n; i++) foldSize[foldOf[i]!]!++;
  const predProbs = new Float64Array(n * k);

  for (let f = 0; f < folds; f++) {
    const test = new Int32Array(foldSize[f]!);
    const train = new Int32Array(n - foldSize[f]!);
    for (let i = 0, a = 0, b = 0; i < n; i++) {
      if (foldOf[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    const z = standardizeByRows(features, train, test);
    const trainLabels = new Int32Array(train.length);
    for (let t = 0; t < train.length; t++) trainLabels[t] = labels[train[t]!]!;
    const model = new SoftmaxRegression({ ...modelOpts, seed: deriveSeed(seed, f + 1) });
    let probs: Float32Array;
    try {
      model.fit({ data: z.train, n: train.length, d: features.d }, trainLabels, k);
      probs = model.predictProba({ data: z.test, n: test.length, d: features.d });
    } finally {
      model.dispose();
    }
    for (let t = 0; t < test.length; t++) {
      const src = t * k;
      const dst = test[t]! * k;
      let s = 0;
      for (let c = 0; c < k; c++) s += probs[src + c]!;
      for (let c = 0; c < k; c++) predProbs[dst + c] = probs[src + c]! / s;
    }
    opts.onFold?.(f, folds);
    // let the event loop breathe between folds (timers, I/O, cancellation)
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  let correct = 0;
  for (let i = 0; i < n; i++) {
    const off = i * k;
    let best = 0;
    for (let c = 1; c < k; c++) if (predProbs[off + c]! > predProbs[off + best]!) best = c;
    if (best === labels[i]) correct++;
  }
  return { predProbs, foldOf, n, k, oofAccuracy: correct / n, warnings, backend };
}
