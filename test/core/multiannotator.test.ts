/**
 * Multi-annotator parity: CROWDLAB (`get_label_quality_multiannotator`) against every entry
 * of test/fixtures/multiannotator (cleanlab 2.9.0), plus the worked examples of spec Part B
 * (B3–B11) and the bad-input rules (B2).
 */
import t from 'tap';
import { InputError } from '../../src/core/errors.js';
import {
  annotatorMatrixFromRows,
  findBestTemperature,
  getActiveLearningScores,
  getLabelQualityMultiannotator,
  getMajorityVoteLabel,
  packedLabelDistribution,
  type AnnotatorMatrix,
  type ConsensusMethod,
  type MultiannotatorOptions,
  type QualityMethod,
} from '../../src/core/multiannotator/index.js';
import type { ProbMatrix, RankBy } from '../../src/core/types.js';
import { fixtureFiles, loadFixture } from '../helpers/fixtures.js';
import { MULTIANNOTATOR_LABELS, MULTIANNOTATOR_PRED_PROBS } from '../helpers/examples.js';
import { errorOf, probMatrixFromRows } from '../helpers/inputs.js';

const TOL = 1e-9;

const pm = probMatrixFromRows;

function closeOrBothNull(t: Tap, got: number, want: number | null, msg: string): void {
  if (want === null) {
    t.ok(Number.isNaN(got), `${msg}: expected null (NaN), got ${got}`);
  } else {
    t.ok(Math.abs(got - want) <= TOL, `${msg}: got ${got}, want ${want}`);
  }
}
/** The assertions these helpers use (tap's Test type is not exported in a usable form). */
type Tap = { ok(v: unknown, msg: string): unknown; fail(msg: string): unknown };


// ---------------------------------------------------------------------------------------
// Fixture parity

interface Entry {
  kwargs: Record<string, unknown>;
  result?: {
    label_quality: { consensus_label: number; consensus_quality_score: number; annotator_agreement: number; num_annotations: number }[];
    detailed_label_quality?: Record<string, number | null>[];
    annotator_stats?: {
      annotator: number;
      annotator_quality: number | null;
      agreement_with_consensus: number;
      worst_class: number;
      num_examples_labeled: number;
    }[];
    model_weight?: number;
    annotator_weight?: number[];
  };
  raises?: string;
  message?: string;
  tie_sensitive?: boolean;
  result_stable_sort?: unknown;
  consensus_label?: number[];
  consensus_quality_score?: number[];
  annotator_agreement?: number[];
}

/** Map cleanlab kwargs → our options. Unknown kwargs fail the test (nothing is skipped). */
function toOptions(t: Tap, kwargs: Record<string, unknown>): MultiannotatorOptions {
  const opts: MultiannotatorOptions = {};
  for (const [key, v] of Object.entries(kwargs)) {
    switch (key) {
      case 'verbose':
        break; // printing only
      case 'consensus_method':
        opts.consensusMethod = v as ConsensusMethod | ConsensusMethod[];
        break;
      case 'quality_method':
        opts.qualityMethod = v as QualityMethod;
        break;
      case 'calibrate_probs':
        opts.calibrateProbs = v as boolean;
        break;
      case 'return_detailed_quality':
        opts.returnDetailedQuality = v as boolean;
        break;
      case 'return_annotator_stats':
        opts.returnAnnotatorStats = v as boolean;
        break;
      case 'return_weights':
        opts.returnWeights = v as boolean;
        break;
      case 'label_quality_score_kwargs': {
        const kw = v as { method?: RankBy; adjust_pred_probs?: boolean };
        opts.labelQualityScoreKwargs = { method: kw.method, adjustPredProbs: kw.adjust_pred_probs };
        break;
      }
      default:
        t.fail(`unknown kwarg ${key} — the test must learn it`);
    }
  }
  return opts;
}

const files = fixtureFiles('multiannotator');
t.ok(files.length >= 2, 'multiannotator fixtures are present');

for (const file of files) {
  t.test(file, (t) => {
    const fx = loadFixture<{
      num_examples: number;
      num_classes: number;
      num_annotators: number;
      labels_multiannotator: (number | null)[][];
      pred_probs: number[][];
      expected: Record<string, Entry | Entry[]>;
    }>('multiannotator', file);
    const L = annotatorMatrixFromRows(fx.labels_multiannotator);
    const P = pm(fx.pred_probs);
    t.equal(L.n, fx.num_examples);
    t.equal(L.m, fx.num_annotators);
    t.equal(P.k, fx.num_classes);
    let checked = 0;
    for (const [fn, raw] of Object.entries(fx.expected)) {
      const entries = Array.isArray(raw) ? raw : [raw];
      for (const [ei, e] of entries.entries()) {
        const label = `${fn}#${ei} ${JSON.stringify(e.kwargs)}`;
        if (fn !== 'get_label_quality_multiannotator') {
          t.fail(`${label}: unknown function — the test must learn it`);
          continue;
        }
        const opts = toOptions(t, e.kwargs);
        if (e.raises !== undefined) {
          t.type(errorOf(() => getLabelQualityMultiannotator(L, P, opts)), InputError, `${label} raises`);
          checked++;
          continue;
        }
        const res = getLabelQualityMultiannotator(L, P, opts);
        t.same(res.randomTieRows, [], `${label}: no row reaches cleanlab's random tie-break`);
        const want = e.result!;
        // tie_sensitive entries would be compared with result_stable_sort; these have none.
        t.equal(e.tie_sensitive ?? false, false, `${label}: not tie-sensitive`);
        const lq = want.label_quality;
        t.equal(lq.length, L.n);
        let badLabel = 0;
        let badQ = 0;
        let badAg = 0;
        let badN = 0;
        for (let i = 0; i < L.n; i++) {
          if (res.consensusLabel[i] !== lq[i]!.consensus_label) badLabel++;
          if (!(Math.abs(res.consensusQualityScore[i]! - lq[i]!.consensus_quality_score) <= TOL)) badQ++;
          if (!(Math.abs(res.annotatorAgreement[i]! - lq[i]!.annotator_agreement) <= TOL)) badAg++;
          if (res.numAnnotations[i] !== lq[i]!.num_annotations) badN++;
        }
        t.equal(badLabel, 0, `${label}: consensus_label`);
        t.equal(badQ, 0, `${label}: consensus_quality_score within ${TOL}`);
        t.equal(badAg, 0, `${label}: annotator_agreement`);
        t.equal(badN, 0, `${label}: num_annotations`);
        // The top-level copies of the main columns.
        if (e.consensus_label) t.same(Array.from(res.consensusLabel), e.consensus_label, `${label}: consensus_label (top level)`);
        if (e.consensus_quality_score) {
          t.ok(
            e.consensus_quality_score.every((v, i) => Math.abs(v - res.consensusQualityScore[i]!) <= TOL),
            `${label}: consensus_quality_score (top level)`,
          );
        }
        if (e.annotator_agreement) {
          t.ok(
            e.annotator_agreement.every((v, i) => Math.abs(v - res.annotatorAgreement[i]!) <= TOL),
            `${label}: annotator_agreement (top level)`,
          );
        }
        if (want.detailed_label_quality !== undefined) {
          const d = res.detailedLabelQuality!;
          let bad = 0;
          want.detailed_label_quality.forEach((row, i) => {
            const keys = Object.keys(row);
            t.equal(keys.length, L.m);
            for (let a = 0; a < L.m; a++) {
              const w = row[`quality_annotator_${a}`];
              const g = d[i * L.m + a]!;
              if (w === undefined) bad++;
              else if (w === null ? !Number.isNaN(g) : !(Math.abs(g - w) <= TOL)) bad++;
            }
          });
          t.equal(bad, 0, `${label}: detailed_label_quality`);
        } else {
          t.equal(res.detailedLabelQuality, undefined);
        }
        if (want.annotator_stats !== undefined) {
          const got = res.annotatorStats!;
          t.same(
            got.map((s) => s.annotator),
            want.annotator_stats.map((s) => s.annotator),
            `${label}: annotator_stats order`,
          );
          want.annotator_stats.forEach((w, j) => {
            const g = got[j]!;
            closeOrBothNull(t, g.annotatorQuality, w.annotator_quality, `${label}: annotator ${w.annotator} quality`);
            closeOrBothNull(t, g.agreementWithConsensus, w.agreement_with_consensus, `${label}: annotator ${w.annotator} agreement`);
            t.equal(g.worstClass, w.worst_class, `${label}: annotator ${w.annotator} worst_class`);
            t.equal(g.numExamplesLabeled, w.num_examples_labeled, `${label}: annotator ${w.annotator} num_examples_labeled`);
          });
        }
        if (want.model_weight !== undefined) closeOrBothNull(t, res.modelWeight!, want.model_weight, `${label}: model_weight`);
        if (want.annotator_weight !== undefined) {
          want.annotator_weight.forEach((w, a) => closeOrBothNull(t, res.annotatorWeight![a]!, w, `${label}: annotator_weight[${a}]`));
        }
        checked++;
      }
    }
    t.ok(checked > 0, `${file}: ${checked} entries checked`);
    t.end();
  });
}

// ---------------------------------------------------------------------------------------
// Spec B3 running example

const L_EX = annotatorMatrixFromRows(MULTIANNOTATOR_LABELS);
const P_EX = pm(MULTIANNOTATOR_PRED_PROBS);
const near = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol;

t.test('B4 majority vote with tie-breaks', (t) => {
  t.same(Array.from(getMajorityVoteLabel(L_EX, P_EX).labels), [0, 1, 2, 1, 2, 1], 'tie-break 1 (pred_probs)');
  // Without pred_probs: rows 3 {0,1} and 4 {1,2} go to the rarer class (3 votes for 0 and 2, 8 for 1).
  t.same(Array.from(getMajorityVoteLabel(L_EX).labels), [0, 1, 2, 0, 2, 1], 'tie-break 2 (rarest class)');
  // Still tied after every tie-break: equal pred_probs, equal class frequencies and
  // annotators who agree equally with the non-tied votes.
  const L3b = annotatorMatrixFromRows([
    [0, 1],
    [0, 0],
    [1, 1],
    [0, 1],
    [1, 0],
    [0, 0],
    [1, 1],
  ]);
  // Row 3 [0,1] and row 4 [1,0] and row 0 [0,1] tie; non-tied rows 1,2,5,6 → both 100%,
  // so tie-break 3 keeps the tie and the deterministic rule picks the smallest class.
  const r = getMajorityVoteLabel(L3b, pm(Array.from({ length: 7 }, () => [0.5, 0.5])));
  t.same(Array.from(r.labels), [0, 0, 1, 0, 0, 0, 1]);
  t.same(r.randomTieRows, [0, 3, 4], 'rows that cleanlab would break at random are reported');
  t.match(r.warnings[0], /smallest tied class/);
  // A real tie-break-3 case: annotator 2 is reliable on the non-tied rows, annotator 1 not.
  const L4 = annotatorMatrixFromRows([
    [0, 1, 1, 0],
    [0, 1, 0, 0],
    [1, 0, 1, 1],
    [2, 2, 2, 2],
  ]);
  // Row 0 ties {0,1} (2 each); freq class0 = 2+3+1 = 6, class1 = 2+1+3 = 6 → tie-break 3.
  // Non-tied rows 1 (mv 0), 2 (mv 1), 3 (mv 2): annotator agreements a0 = 1, a1 = 1/3, a2 = 1, a3 = 1.
  // Class 0 voters of row 0: a0, a3 → mean 1; class 1 voters: a1, a2 → mean 2/3 → class 0.
  const r4 = getMajorityVoteLabel(L4, pm([[0.3, 0.3, 0.4], [0.5, 0.25, 0.25], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8]]));
  t.same(Array.from(r4.labels), [0, 0, 1, 2]);
  t.same(r4.randomTieRows, []);
  t.end();
});

t.test('B5/B7 CROWDLAB statistics on the running example', (t) => {
  const res = getLabelQualityMultiannotator(L_EX, P_EX, { returnWeights: true });
  t.same(Array.from(res.consensusLabel), [0, 1, 2, 1, 2, 1]);
  const ag = [2 / 3, 1, 1, 1 / 2, 1 / 2, 1];
  ag.forEach((v, i) => t.ok(near(res.annotatorAgreement[i]!, v, 1e-15), `ag[${i}]`));
  t.ok(near(res.modelWeight!, Math.sqrt(14 / 6), 1e-12), 'W = sqrt(14/6)');
  [0.428571, 0.142857, 1e-6].forEach((v, a) => t.ok(near(res.annotatorWeight![a]!, v), `w[${a}]`));
  [0.721174, 0.17580, 0.103025].forEach((v, c) => t.ok(near(res.posterior.data[c]!, v, 1e-5), `Q[0][${c}]`));
  [0.721174, 0.79395, 0.63895, 0.512277, 0.615204, 0.575624].forEach((v, i) =>
    t.ok(near(res.consensusQualityScore[i]!, v), `consensus quality ${i}: ${res.consensusQualityScore[i]}`),
  );
  const stats = res.annotatorStats!;
  t.same(
    stats.map((s) => [s.annotator, s.worstClass, s.numExamplesLabeled]),
    [
      [2, 1, 4],
      [0, 0, 5],
      [1, 1, 5],
    ],
  );
  [0.436911, 0.662799, 0.723961].forEach((v, j) => t.ok(near(stats[j]!.annotatorQuality, v), `quality ${j}`));
  [0.5, 0.8, 1.0].forEach((v, j) => t.ok(near(stats[j]!.agreementWithConsensus, v, 1e-15), `agreement ${j}`));
  // Rows of the posterior sum to 1.
  for (let i = 0; i < 6; i++) {
    const s = res.posterior.data[i * 3]! + res.posterior.data[i * 3 + 1]! + res.posterior.data[i * 3 + 2]!;
    t.ok(near(s, 1, 1e-12), `posterior row ${i} sums to 1`);
  }
  // Two consensus methods: columns of both, stats of the first.
  const two = getLabelQualityMultiannotator(L_EX, P_EX, { consensusMethod: ['majority_vote', 'best_quality'] });
  t.same(two.methods.map((m) => m.method), ['majority_vote', 'best_quality']);
  t.same(Array.from(two.methods[1]!.consensusLabel), [0, 1, 2, 1, 2, 1]);
  // Without the detailed table, annotator quality is recomputed with self_confidence (same here).
  const noDetail = getLabelQualityMultiannotator(L_EX, P_EX, { returnDetailedQuality: false });
  t.equal(noDetail.detailedLabelQuality, undefined);
  noDetail.annotatorStats!.forEach((s, j) => t.ok(near(s.annotatorQuality, stats[j]!.annotatorQuality, 1e-12)));
  t.end();
});

t.test('B6 agreement quality method and the packed-count quirk', (t) => {
  const L = annotatorMatrixFromRows([
    [1, 1, 2],
    [0, 0, null],
  ]);
  const emp = packedLabelDistribution(L, 3);
  t.same(Array.from(emp.slice(0, 3)), [2 / 3, 1 / 3, 0], 'labels {1,1,2} → (2/3, 1/3, 0)');
  t.same(Array.from(emp.slice(3)), [1, 0, 0]);
  // All annotators say 2 → packed Q = (1, 0, 0) → best_quality picks 0 (quirk).
  const L2 = annotatorMatrixFromRows([
    [2, 2],
    [0, 1],
    [1, 1],
  ]);
  const r = getLabelQualityMultiannotator(L2, pm([[0.1, 0.1, 0.8], [0.5, 0.3, 0.2], [0.2, 0.7, 0.1]]), {
    qualityMethod: 'agreement',
  });
  t.equal(r.consensusLabel[0], 0, 'best_quality + agreement reproduces cleanlab: 0 for a row labelled 2 by all');
  t.same(Array.from(r.consensusQualityScore), Array.from(r.annotatorAgreement), 'quality = agreement');
  t.equal(r.modelWeight, undefined);
  // Majority vote fallback without pred_probs.
  const mv = getLabelQualityMultiannotator(L_EX, undefined, { qualityMethod: 'agreement', consensusMethod: 'majority_vote' });
  t.same(Array.from(mv.consensusLabel), [0, 1, 2, 0, 2, 1]);
  t.same(Array.from(mv.consensusQualityScore), [2 / 3, 1, 1, 1 / 2, 1 / 2, 1]);
  // agreement quality = agreement with consensus over rows with ≥ 2 annotations.
  const a0 = mv.annotatorStats!.find((s) => s.annotator === 0)!;
  t.equal(a0.annotatorQuality, 1, 'annotator 0 agrees with every majority vote it took part in');
  t.end();
});

t.test('B9 temperature search on the running example', (t) => {
  const s = findBestTemperature(L_EX, P_EX);
  t.same(s.fine.temperatures, [5, 5.75, 6.5, 7.25], 'coarse minimum at G[8] = 8: only the left fine grid');
  for (let j = 1; j < s.coarse.scores.length; j++) t.ok(s.coarse.scores[j]! < s.coarse.scores[j - 1]!, 'coarse scores fall');
  t.equal(s.temperature, 7.25);
  t.end();
});

t.test('B11 ActiveLab scores', (t) => {
  const U = pm([
    [0.5, 0.3, 0.2],
    [0.34, 0.33, 0.33],
  ]);
  const r = getActiveLearningScores(L_EX, P_EX, U);
  [0.486032, 0.531478, 0.504771, 0.406214, 0.40194, 0.535448].forEach((v, i) =>
    t.ok(near(r.scores[i]!, v), `labelled score ${i}: ${r.scores[i]}`),
  );
  [0.349811, 0.334015].forEach((v, i) => t.ok(near(r.scoresUnlabeled[i]!, v), `unlabelled score ${i}: ${r.scoresUnlabeled[i]}`));
  t.equal(r.temperature, 7.25);
  // Only unlabelled data: T = 1, W = 1, w̄ = 1 → (max + 1/K) / 2 after the (identity) scaling.
  const u = getActiveLearningScores(undefined, undefined, U);
  t.equal(u.scores.length, 0);
  t.ok(near(u.scoresUnlabeled[0]!, (0.5 + 1 / 3) / 2, 1e-12));
  // Every example has one annotation: no calibration, q = P[i][label], W = w = 1.
  const single = annotatorMatrixFromRows([[0, null], [null, 1], [2, null]]);
  const Ps = pm([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4]]);
  const s = getActiveLearningScores(single, Ps);
  t.equal(s.temperature, 1);
  [0.6, 0.7, 0.4].forEach((q, i) => t.ok(near(s.scores[i]!, (q * 2 + (1 / 3) * 1) / 3, 1e-12), `single-label score ${i}`));
  t.type(errorOf(() => getActiveLearningScores(undefined, P_EX)), InputError, 'pred_probs without labels');
  t.type(errorOf(() => getActiveLearningScores(undefined, undefined)), InputError, 'nothing given');
  t.end();
});

t.test('B2 bad inputs', (t) => {
  const cases: [string, AnnotatorMatrix, ProbMatrix | undefined, MultiannotatorOptions, RegExp][] = [
    ['all-missing row', annotatorMatrixFromRows([[0, 1], [null, null], [1, 1]]), pm([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]), {}, /no annotator labelled.*1/],
    ['all-missing column', annotatorMatrixFromRows([[0, 1, null], [1, 1, null]]), pm([[0.5, 0.5], [0.5, 0.5]]), {}, /annotators 2/],
    ['single annotator', annotatorMatrixFromRows([[0], [1]]), pm([[0.5, 0.5], [0.5, 0.5]]), {}, /at least 2 annotators/],
    ['one annotation per example', annotatorMatrixFromRows([[0, null], [null, 1]]), pm([[0.5, 0.5], [0.5, 0.5]]), {}, /exactly one annotation/],
    ['class id out of range', annotatorMatrixFromRows([[0, 2], [1, 1]]), pm([[0.5, 0.5], [0.5, 0.5]]), {}, /at least 3 columns/],
    ['length mismatch', annotatorMatrixFromRows([[0, 1], [1, 1]]), pm([[0.5, 0.5]]), {}, /same number of examples/],
    ['return_weights with agreement', L_EX, P_EX, { qualityMethod: 'agreement', returnWeights: true }, /return_weights/],
    ['crowdlab without pred_probs', L_EX, undefined, {}, /pred_probs are required/],
  ];
  for (const [name, L, P, o, re] of cases) {
    const e = errorOf(() => getLabelQualityMultiannotator(L, P, o));
    t.type(e, InputError, name);
    if (e instanceof InputError) t.match(e.message, re, name);
  }
  t.type(
    errorOf(() => annotatorMatrixFromRows([[0, 1], [1]])),
    InputError,
    'ragged rows',
  );
  const neg = errorOf(() => getLabelQualityMultiannotator({ data: Int32Array.from([0, -3, 1, 1]), n: 2, m: 2 }, pm([[0.5, 0.5], [0.5, 0.5]])));
  t.type(neg, InputError, 'negative label other than the missing marker');
  // A warning (not an error) when no two annotators ever agree.
  const r = getLabelQualityMultiannotator(annotatorMatrixFromRows([[0, 1], [1, 0]]), pm([[0.6, 0.4], [0.3, 0.7]]));
  t.match(r.warnings.join('\n'), /do not agree/);
  t.end();
});
