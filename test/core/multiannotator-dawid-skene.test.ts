/**
 * Dawid–Skene: EM over per-annotator confusion matrices. Synthetic crowds with known,
 * different annotator accuracies: Dawid–Skene must recover the true labels more often than
 * majority vote and rank the annotators in their true order of accuracy.
 */
import t from 'tap';
import { InputError } from '../../src/core/errors.js';
import {
  MISSING,
  annotatorMatrix,
  dawidSkene,
  getMajorityVoteLabel,
  type AnnotatorMatrix,
} from '../../src/core/multiannotator/index.js';
import { mulberry32 } from '../../seeds/synthetic.js';

interface Crowd {
  truth: Int32Array;
  labels: AnnotatorMatrix;
}

/**
 * N examples with uniform true classes; annotator a labels each example with probability
 * `coverage`, correctly with probability acc[a], otherwise a uniformly random wrong class
 * (or, with `biased`, always the next class (true + 1) mod K — a systematic confusion).
 */
function makeCrowd(seed: number, n: number, k: number, acc: number[], coverage: number, biased = false): Crowd {
  const r = mulberry32(seed);
  const m = acc.length;
  const truth = new Int32Array(n);
  const data = new Int32Array(n * m).fill(MISSING);
  for (let i = 0; i < n; i++) {
    truth[i] = Math.floor(r() * k);
    let labelled = 0;
    for (let a = 0; a < m; a++) {
      if (r() >= coverage) continue;
      labelled++;
      if (r() < acc[a]!) data[i * m + a] = truth[i]!;
      else if (biased) data[i * m + a] = (truth[i]! + 1) % k;
      else {
        const wrong = Math.floor(r() * (k - 1));
        data[i * m + a] = wrong >= truth[i]! ? wrong + 1 : wrong;
      }
    }
    if (labelled === 0) {
      // every example gets at least one label (from a random annotator)
      const a = Math.floor(r() * m);
      data[i * m + a] = r() < acc[a]! ? truth[i]! : (truth[i]! + 1) % k;
    }
  }
  return { truth, labels: annotatorMatrix(data, n, m) };
}

function accuracyOf(pred: Int32Array, truth: Int32Array): number {
  let c = 0;
  for (let i = 0; i < truth.length; i++) if (pred[i] === truth[i]) c++;
  return c / truth.length;
}

const ACC = [0.9, 0.75, 0.6, 0.45, 0.35];

t.test('recovers true labels better than majority vote and ranks annotators truly', (t) => {
  for (const [seed, biased] of [
    [11, false],
    [12, false],
    [13, true],
  ] as const) {
    const { truth, labels } = makeCrowd(seed, 1200, 3, ACC, 0.7, biased);
    const ds = dawidSkene(labels, undefined);
    const mv = getMajorityVoteLabel(labels);
    const accDs = accuracyOf(ds.consensusLabel, truth);
    const accMv = accuracyOf(mv.labels, truth);
    t.ok(ds.converged, `seed ${seed}: converged in ${ds.iterations} iterations`);
    t.ok(accDs > accMv, `seed ${seed}${biased ? ' (systematic confusions)' : ''}: Dawid–Skene ${accDs.toFixed(3)} > majority vote ${accMv.toFixed(3)}`);
    // Estimated accuracies are in the true order (best annotator first).
    const order = Array.from(ds.annotatorAccuracy.keys()).sort((x, y) => ds.annotatorAccuracy[y]! - ds.annotatorAccuracy[x]!);
    t.same(order, [0, 1, 2, 3, 4], `seed ${seed}: estimated accuracies ${Array.from(ds.annotatorAccuracy, (v) => v.toFixed(3)).join(', ')}`);
    // …and close to the truth.
    ACC.forEach((a, j) => t.ok(Math.abs(ds.annotatorAccuracy[j]! - a) < 0.06, `seed ${seed}: annotator ${j} accuracy ≈ ${a}`));
    // annotator_stats: ascending quality, so the true order reversed.
    t.same(
      ds.annotatorStats.map((s) => s.annotator),
      [4, 3, 2, 1, 0],
      `seed ${seed}: annotator_stats order`,
    );
  }
  t.end();
});

t.test('posterior, parameters and determinism', (t) => {
  const { labels } = makeCrowd(21, 300, 4, [0.85, 0.7, 0.55], 0.8);
  const a = dawidSkene(labels, undefined);
  const b = dawidSkene(labels, undefined);
  t.same(Array.from(a.posterior.data), Array.from(b.posterior.data), 'deterministic');
  const { n, k } = a.posterior;
  let worst = 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += a.posterior.data[i * k + c]!;
    worst = Math.max(worst, Math.abs(s - 1));
    if (a.consensusQualityScore[i] !== a.posterior.data[i * k + a.consensusLabel[i]!]) bad++;
  }
  t.equal(bad, 0, 'consensus quality = posterior probability of the consensus label');
  t.ok(worst < 1e-12, 'posterior rows sum to 1');
  const m = labels.m;
  for (let ann = 0; ann < m; ann++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a.confusion[ann * k * k + c * k + l]!;
      t.ok(Math.abs(s - 1) < 1e-12, `confusion row ${ann}/${c} sums to 1`);
    }
  }
  t.ok(Math.abs(a.priors.reduce((x, y) => x + y, 0) - 1) < 1e-12, 'priors sum to 1');
  t.ok(Number.isFinite(a.logLikelihood), 'log-likelihood is finite');
  t.end();
});

t.test('iteration cap, tolerance and initialisation', (t) => {
  const { labels } = makeCrowd(31, 400, 3, ACC, 0.6);
  const one = dawidSkene(labels, undefined, { maxIter: 1 });
  t.equal(one.iterations, 1);
  t.equal(one.converged, false, 'one EM round does not converge');
  t.match(one.warnings.join('\n'), /did not converge within 1 iterations/);
  const loose = dawidSkene(labels, undefined, { tol: 0.5 });
  const tight = dawidSkene(labels, undefined, { tol: 1e-10, maxIter: 5000 });
  t.ok(loose.iterations < tight.iterations, `looser tolerance stops earlier (${loose.iterations} < ${tight.iterations})`);
  t.ok(tight.converged);
  // Unanimous, complete data: EM keeps the (majority-vote) initialisation.
  const unanimous = annotatorMatrix(Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 1, 1]), 4, 3);
  const u = dawidSkene(unanimous, undefined);
  t.same(Array.from(u.consensusLabel), [0, 1, 2, 1]);
  t.ok(u.consensusQualityScore.every((q) => q > 0.99));
  t.equal(u.annotatorAgreement.every((x) => x === 1), true);
  const bad = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    return undefined;
  };
  t.type(bad(() => dawidSkene(labels, undefined, { maxIter: 0 })), InputError, 'max_iter ≥ 1');
  t.type(bad(() => dawidSkene(labels, undefined, { tol: 0 })), InputError, 'tol > 0');
  t.type(bad(() => dawidSkene(annotatorMatrix(Int32Array.from([0, MISSING, 1, MISSING]), 2, 2), undefined)), InputError, 'annotator with no label');
  t.end();
});
