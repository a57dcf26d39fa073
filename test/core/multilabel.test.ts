/**
 * Multi-label parity: every entry of test/fixtures/multilabel (cleanlab 2.9.0) through the
 * one-vs-rest engine, plus the worked examples of spec Part A (A2–A7) and bad inputs.
 * Unknown functions or kwargs fail the test (nothing is skipped).
 */
import t from 'tap';
import type { TieOrder } from '../../src/core/argsort.js';
import { InputError } from '../../src/core/errors.js';
import {
  commonMultilabelIssues,
  computeConfidentJointMultilabel,
  estimateJointMultilabel,
  findLabelIssuesMultilabel,
  getConfidentThresholdsMultilabel,
  getLabelQualityScoresMultilabel,
  getLabelQualityScoresPerClass,
  labelListsFromArrays,
  labelListsFromOneHot,
  multilabelHealthSummary,
  numLabelIssuesMultilabel,
  overallMultilabelHealthScore,
  rankClassesByMultilabelQuality,
  type MultilabelAggregator,
  type MultilabelFindOptions,
  type MultilabelScoreOptions,
} from '../../src/core/multilabel/index.js';
import type { FilterBy, Matrix, RankBy } from '../../src/core/types.js';
import { fixtureFiles, loadFixture } from '../helpers/fixtures.js';
import { MULTILABEL_LABELS, MULTILABEL_PRED_PROBS } from '../helpers/examples.js';
import { errorOf, probMatrixFromRows } from '../helpers/inputs.js';

const TOL = 1e-9;
/** Warnings about cleanlab's Python entry points, not about the data. */
const API_WARNINGS = [/^DeprecationWarning: The multi_label argument to filter\.find_label_issues\(\) is deprecated/];

const pm = probMatrixFromRows;

interface Entry {
  kwargs: Record<string, unknown>;
  result?: unknown;
  raises?: string;
  message?: string;
  warnings?: string[];
  tie_sensitive?: boolean | null;
  result_stable_sort?: unknown;
  output?: string;
  num_issues?: number;
}

type Fail = (msg: string) => void;

function findOptions(kwargs: Record<string, unknown>, fail: Fail, entryPoint: 'filter' | 'multilabel'): MultilabelFindOptions {
  const o: MultilabelFindOptions = { validate: entryPoint === 'filter' };
  for (const [key, v] of Object.entries(kwargs)) {
    switch (key) {
      case 'multi_label':
        if (entryPoint !== 'filter' || v !== true) fail(`unexpected multi_label=${String(v)}`);
        break;
      case 'filter_by':
        o.filterBy = v as FilterBy;
        break;
      case 'return_indices_ranked_by':
        if (v !== null) o.returnIndicesRankedBy = v as RankBy;
        break;
      case 'rank_by_kwargs': {
        for (const k of Object.keys(v as object)) if (k !== 'adjust_pred_probs') fail(`unknown rank_by_kwargs key ${k}`);
        o.rankByKwargs = { adjustPredProbs: (v as { adjust_pred_probs?: boolean }).adjust_pred_probs ?? false };
        break;
      }
      case 'frac_noise':
        o.fracNoise = v as number;
        break;
      case 'num_to_remove_per_class':
        if (v !== null) o.numToRemovePerClass = v as number[];
        break;
      case 'min_examples_per_class':
        o.minExamplesPerClass = v as number;
        break;
      case 'confident_joint':
        if (v !== null) o.confidentJoint = v as Matrix[];
        break;
      case 'n_jobs':
        break; // never changes results
      case 'low_memory':
        if (v !== false) fail('low_memory=True is out of parity scope (spec A5.3)');
        break;
      default:
        fail(`unknown kwarg ${key} — the test must learn it`);
    }
  }
  return o;
}

function scoreOptions(kwargs: Record<string, unknown>, fail: Fail): MultilabelScoreOptions {
  const o: MultilabelScoreOptions = {};
  for (const [key, v] of Object.entries(kwargs)) {
    switch (key) {
      case 'method':
        o.method = v as RankBy;
        break;
      case 'adjust_pred_probs':
        o.adjustPredProbs = v as boolean;
        break;
      case 'aggregator_kwargs': {
        const a = v as Record<string, unknown>;
        if (a.method === 'exponential_moving_average') o.aggregator = { method: a.method, alpha: (a.alpha as number | null | undefined) ?? null };
        else if (a.method === 'softmin') o.aggregator = { method: 'softmin', ...(a.temperature !== undefined ? { temperature: a.temperature as number } : {}) } as MultilabelAggregator;
        else fail(`unknown aggregator ${String(a.method)}`);
        break;
      }
      default:
        fail(`unknown kwarg ${key} — the test must learn it`);
    }
  }
  return o;
}

const files = fixtureFiles('multilabel');
t.ok(files.length >= 3, 'multilabel fixtures are present');

for (const file of files) {
  t.test(file, (t) => {
    const fx = loadFixture<{
      num_examples: number;
      num_classes: number;
      labels: number[][];
      pred_probs: number[][];
      expected: Record<string, Entry | Entry[]>;
    }>('multilabel', file);
    const labels = labelListsFromArrays(fx.labels);
    const P = pm(fx.pred_probs);
    t.equal(labels.n, fx.num_examples);
    t.equal(P.k, fx.num_classes);
    let checked = 0;
    for (const [fn, raw] of Object.entries(fx.expected)) {
      const entries = Array.isArray(raw) ? raw : [raw];
      entries.forEach((e, ei) => {
        const label = `${fn}#${ei} ${JSON.stringify(e.kwargs)}`;
        const fail: Fail = (msg) => t.fail(`${label}: ${msg}`);
        const expectedWarnings = (e.warnings ?? []).filter((w) => !API_WARNINGS.some((re) => re.test(w)));
        // Which result to expect under each tie rule.
        const wantFor = (ties: TieOrder): unknown => (e.tie_sensitive && ties === 'stable' ? e.result_stable_sort : e.result);
        let run: ((ties: TieOrder) => { value: unknown; warnings: string[] }) | undefined;
        let compare: (got: unknown, want: unknown, msg: string) => void = (got, want, msg) => t.same(got, want, msg);
        switch (fn) {
          case 'filter.find_label_issues':
          case 'multilabel_classification.filter.find_label_issues': {
            const opts = findOptions(e.kwargs, fail, fn.startsWith('filter.') ? 'filter' : 'multilabel');
            run = (ties) => {
              const r = findLabelIssuesMultilabel(labels, P, { ...opts, tieOrder: ties });
              const value = opts.returnIndicesRankedBy !== undefined ? Array.from(r.ranked!) : Array.from(r.mask, (x) => x === 1);
              return { value, warnings: r.warnings };
            };
            break;
          }
          case 'multilabel_classification.get_label_quality_scores': {
            const opts = scoreOptions(e.kwargs, fail);
            run = () => ({ value: Array.from(getLabelQualityScoresMultilabel(labels, P, opts)), warnings: [] });
            compare = (got, want, msg) => {
              const g = got as number[];
              const w = want as number[];
              t.equal(g.length, w.length, `${msg}: length`);
              let bad = 0;
              for (let i = 0; i < w.length; i++) if (!(Math.abs(g[i]! - w[i]!) <= TOL)) bad++;
              t.equal(bad, 0, `${msg}: scores within ${TOL}`);
            };
            break;
          }
          case 'compute_confident_joint': {
            let calibrate = true;
            let thresholds: number[] | undefined;
            let withIndices = false;
            for (const [key, v] of Object.entries(e.kwargs)) {
              if (key === 'multi_label') {
                if (v !== true) fail('multi_label must be true');
              } else if (key === 'calibrate') calibrate = v as boolean;
              else if (key === 'thresholds') thresholds = v as number[];
              else if (key === 'return_indices_of_off_diagonals') withIndices = v as boolean;
              else fail(`unknown kwarg ${key} — the test must learn it`);
            }
            run = (ties) => {
              const r = computeConfidentJointMultilabel(labels, P, { calibrate, ...(thresholds ? { thresholds } : {}), tieOrder: ties });
              const value = withIndices ? [r.confidentJoint, r.offDiagonalIndices.map((x) => Array.from(x))] : r.confidentJoint;
              return { value, warnings: [] };
            };
            break;
          }
          case 'num_label_issues': {
            let cj: Matrix[] | undefined;
            for (const [key, v] of Object.entries(e.kwargs)) {
              if (key === 'multi_label') {
                if (v !== true) fail('multi_label must be true');
              } else if (key === 'confident_joint') cj = (v ?? undefined) as Matrix[] | undefined;
              else fail(`unknown kwarg ${key} — the test must learn it`);
            }
            run = (ties) => {
              const warnings: string[] = [];
              const value = numLabelIssuesMultilabel(labels, P, { ...(cj ? { confidentJoint: cj } : {}), tieOrder: ties, warnings });
              return { value, warnings };
            };
            break;
          }
          default:
            fail('unknown function — the test must learn it');
        }
        if (run === undefined) return;
        for (const ties of ['stable', 'numpy'] as const) {
          if (e.raises !== undefined) {
            t.type(errorOf(() => run!(ties)), InputError, `${label} [${ties}] raises (cleanlab: ${e.raises}: ${e.message ?? ''})`);
            continue;
          }
          const got = run(ties);
          compare(got.value, wantFor(ties), `${label} [${ties}]`);
          t.same(got.warnings, expectedWarnings, `${label} [${ties}] warnings`);
        }
        checked++;
      });
    }
    t.ok(checked >= 10, `${file}: ${checked} entries checked`);
    t.end();
  });
}

// ---------------------------------------------------------------------------------------
// Spec A2 running example

const L_EX = labelListsFromArrays(MULTILABEL_LABELS);
const P_EX = pm(MULTILABEL_PRED_PROBS);
const near = (a: number, b: number, tol = 1e-12) => Math.abs(a - b) <= tol;

t.test('A4 thresholds, confident joint, joint', (t) => {
  const thr = getConfidentThresholdsMultilabel(L_EX, P_EX);
  const want = [
    [0.725, 0.85],
    [0.8, 0.6],
    [0.825, 0.55],
  ];
  want.forEach((row, c) => row.forEach((v, j) => t.ok(near(thr[c]![j]!, v), `threshold[${c}][${j}] = ${thr[c]![j]}`)));
  const raw = computeConfidentJointMultilabel(L_EX, P_EX, { calibrate: false });
  t.same(raw.confidentJoint, [
    [[3, 0], [0, 1]],
    [[2, 0], [1, 2]],
    [[2, 0], [0, 1]],
  ]);
  t.same(raw.offDiagonalIndices.map((x) => Array.from(x)), [[], [1], []], 'class 1: example 1 confidently absent');
  const cal = computeConfidentJointMultilabel(L_EX, P_EX);
  t.same(cal.confidentJoint, [
    [[4, 0], [0, 2]],
    [[3, 0], [1, 2]],
    [[4, 0], [0, 2]],
  ]);
  const J = estimateJointMultilabel(L_EX, P_EX);
  t.same(J[1], [
    [3 / 6, 0],
    [1 / 6, 2 / 6],
  ]);
  // A supplied K×2×2 matrix is calibrated per class first.
  const J2 = estimateJointMultilabel(L_EX, undefined, { confidentJoint: raw.confidentJoint });
  t.same(J2, J, 'supplied raw confident joint → same joint');
  t.end();
});

t.test('A5 find_label_issues on the running example', (t) => {
  const d = findLabelIssuesMultilabel(L_EX, P_EX);
  t.same(Array.from(d.mask), [0, 1, 0, 0, 0, 0]);
  t.same(d.perClass.map((x) => Array.from(x)), [[], [1], []]);
  t.same(Array.from(findLabelIssuesMultilabel(L_EX, P_EX, { returnIndicesRankedBy: 'self_confidence' }).ranked!), [1]);
  for (const filterBy of ['both', 'prune_by_class', 'confident_learning'] as const) {
    t.same(Array.from(findLabelIssuesMultilabel(L_EX, P_EX, { filterBy }).indices), [1], filterBy);
  }
  t.same(Array.from(findLabelIssuesMultilabel(L_EX, P_EX, { filterBy: 'predicted_neq_given' }).indices), [1, 3, 5]);
  t.equal(numLabelIssuesMultilabel(L_EX, P_EX), 1);
  // A5.2: m = 1 → the lowest EMA self-confidence (row 1, 0.24).
  for (const filterBy of ['low_self_confidence', 'low_normalized_margin'] as const) {
    const r = findLabelIssuesMultilabel(L_EX, P_EX, { filterBy });
    t.same(Array.from(r.indices), [1], filterBy);
    // Ranking a single flagged row: its sub-dataset [0,1] / (0.8,0.1,0.2) has both 0 and 1.
    t.same(Array.from(findLabelIssuesMultilabel(L_EX, P_EX, { filterBy, returnIndicesRankedBy: 'normalized_margin' }).ranked!), [1]);
  }
  // num_to_remove_per_class maps to [r[c], 0]: the count applies to the "absent" side.
  const ntr = findLabelIssuesMultilabel(L_EX, P_EX, { filterBy: 'prune_by_class', numToRemovePerClass: [1, 1, 1] });
  t.type(ntr.mask, Uint8Array);
  // Supplied confident joint: K×2×2 used per class; K×K ignored with a warning; else error.
  const raw = computeConfidentJointMultilabel(L_EX, P_EX).confidentJoint;
  t.same(Array.from(findLabelIssuesMultilabel(L_EX, P_EX, { confidentJoint: raw }).indices), [1]);
  const old = findLabelIssuesMultilabel(L_EX, P_EX, { confidentJoint: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] });
  t.match(old.warnings.join('\n'), /old format is being ignored/);
  t.type(errorOf(() => findLabelIssuesMultilabel(L_EX, P_EX, { confidentJoint: [[1, 2], [3, 4]] })), InputError, 'bad confident_joint shape');
  t.end();
});

t.test('A5.2 ranked low_* quirk: permutation of the row-ordered subset applied to O', (t) => {
  // Construct data where score order and row order of the flagged set differ.
  const L = labelListsFromArrays([[0], [1], [0], [1], [0, 1], [0], [1], []]);
  const P = pm([
    [0.9, 0.1],
    [0.2, 0.95],
    [0.1, 0.8], // given [0], looks like [1]
    [0.95, 0.15],
    [0.8, 0.9],
    [0.3, 0.4], // given [0], weak
    [0.05, 0.9],
    [0.6, 0.1], // given [], looks like [0]
  ]);
  const mask = findLabelIssuesMultilabel(L, P, { filterBy: 'low_self_confidence' });
  const m = mask.indices.length;
  t.ok(m >= 2, `m = ${m} rows flagged`);
  const s = getLabelQualityScoresMultilabel(L, P);
  // O = the m lowest scores, in score order.
  const O = Array.from(s.keys()).sort((a, b) => s[a]! - s[b]! || a - b).slice(0, m);
  t.same(Array.from(mask.indices), [...O].sort((a, b) => a - b));
  const F = [...O].sort((a, b) => a - b);
  const sub = getLabelQualityScoresMultilabel(
    labelListsFromArrays(F.map((i) => [[0], [1], [0], [1], [0, 1], [0], [1], []][i]!)),
    pm(F.map((i) => Array.from(P.data.subarray(i * 2, i * 2 + 2)))),
  );
  const pi = Array.from(sub.keys()).sort((a, b) => sub[a]! - sub[b]! || a - b);
  const ranked = findLabelIssuesMultilabel(L, P, { filterBy: 'low_self_confidence', returnIndicesRankedBy: 'self_confidence' }).ranked!;
  t.same(Array.from(ranked), pi.map((j) => O[j]!), 'O[π]');
  t.same(O, [3, 2, 5, 7], 'score order of the flagged rows');
  t.same(Array.from(ranked), [2, 3, 5, 7], 'cleanlab returns O[π], not the score order (the quirk matters here)');
  t.end();
});

t.test('A6 multi-label label quality scores', (t) => {
  const s = getLabelQualityScoresMultilabel(L_EX, P_EX);
  [0.82, 0.24, 0.74, 0.304, 0.82, 0.42].forEach((v, i) => t.ok(near(s[i]!, v, 1e-12), `EMA score ${i}: ${s[i]}`));
  const v = getLabelQualityScoresPerClass(L_EX, P_EX);
  t.same(Array.from(v.subarray(9, 12), (x) => Math.round(x * 1e12) / 1e12), [0.8, 0.7, 0.2], 'per-class row 3');
  // normalized_margin = self-confidence up to rounding.
  const nm = getLabelQualityScoresMultilabel(L_EX, P_EX, { method: 'normalized_margin' });
  nm.forEach((x, i) => t.ok(near(x, s[i]!, 1e-12)));
  // alpha = null → 2/(K+1) = 0.5: row 3 = 0.8 → 0.75 → 0.475.
  const half = getLabelQualityScoresMultilabel(L_EX, P_EX, { aggregator: { method: 'exponential_moving_average', alpha: null } });
  t.ok(near(half[3]!, 0.475), `alpha None: ${half[3]}`);
  // softmin: the worst class dominates.
  const sm = getLabelQualityScoresMultilabel(L_EX, P_EX, { aggregator: { method: 'softmin' } });
  t.ok(sm[3]! < 0.25 && sm[3]! > 0.2, `softmin row 3: ${sm[3]}`);
  t.type(errorOf(() => getLabelQualityScoresMultilabel(L_EX, P_EX, { aggregator: { method: 'exponential_moving_average', alpha: 1.5 } })), InputError);
  t.type(errorOf(() => getLabelQualityScoresMultilabel(L_EX, P_EX, { method: 'confidence_weighted_entropy', adjustPredProbs: true })), InputError);
  t.end();
});

t.test('A7 dataset summaries', (t) => {
  const issues = commonMultilabelIssues(L_EX, P_EX, { classNames: ['a', 'b', 'c'] });
  t.same(issues[0], { className: 'b', classIndex: 1, inGivenLabel: true, inSuggestedLabel: false, numExamples: 1, issueProbability: 1 / 6 });
  t.same(
    issues.slice(1).map((r) => [r.classIndex, r.inGivenLabel]),
    [
      [0, true],
      [0, false],
      [1, false],
      [2, true],
      [2, false],
    ],
    'ties keep record order',
  );
  const classes = rankClassesByMultilabelQuality(L_EX, P_EX);
  t.same(classes.map((c) => c.classIndex), [1, 0, 2]);
  t.equal(classes[0]!.labelIssues, 1);
  t.ok(near(classes[0]!.labelQualityScore, 1 - 1 / 6));
  t.ok(near(overallMultilabelHealthScore(L_EX, P_EX), 1 - 1 / 6));
  const summary = multilabelHealthSummary(L_EX, P_EX);
  t.same(summary.classesByMultilabelQuality, classes);
  t.end();
});

t.test('A1/A3 bad inputs', (t) => {
  const P2 = pm([
    [0.9, 0.2],
    [0.3, 0.8],
  ]);
  const cases: [string, () => unknown, RegExp][] = [
    ['class id out of range', () => findLabelIssuesMultilabel(labelListsFromArrays([[0], [2]]), P2), /at least 3 columns/],
    ['length mismatch', () => findLabelIssuesMultilabel(labelListsFromArrays([[0]]), P2), /same length/],
    ['every list empty', () => findLabelIssuesMultilabel(labelListsFromArrays([[], []]), P2), /Every label list is empty/],
    ['value above 1', () => findLabelIssuesMultilabel(labelListsFromArrays([[0], [1]]), pm([[1.1, 0.2], [0.3, 0.8]])), /between 0 and 1/],
    ['class present everywhere', () => findLabelIssuesMultilabel(labelListsFromArrays([[0], [0, 1]]), P2), /Class 0 is present in every example/],
    ['absent class with predicted_neq_given', () => findLabelIssuesMultilabel(labelListsFromArrays([[0], []]), P2, { filterBy: 'predicted_neq_given' }), /Class 1 appears in no example/],
    ['scores without any 1', () => getLabelQualityScoresMultilabel(labelListsFromArrays([[], []]), P2), /Every label list is empty|multi-label format/],
    ['unknown filter_by', () => findLabelIssuesMultilabel(L_EX, P_EX, { filterBy: 'nope' as FilterBy }), /filter_by/],
    ['unknown rank method', () => findLabelIssuesMultilabel(L_EX, P_EX, { returnIndicesRankedBy: 'nope' as RankBy }), /not a valid scoring method/],
    ['num_to_remove_per_class length', () => findLabelIssuesMultilabel(L_EX, P_EX, { numToRemovePerClass: [1] }), /one entry per class/],
    ['ranked low_* with m = 0', () => findLabelIssuesMultilabel(labelListsFromArrays([[0], [1], [0], [1]]), pm([[0.9, 0.1], [0.1, 0.9], [0.8, 0.2], [0.2, 0.8]]), { filterBy: 'low_self_confidence', returnIndicesRankedBy: 'self_confidence' }), /multi-label format/],
    ['one-hot .npy with a 2', () => labelListsFromOneHot([0, 1, 2, 0], 2, 2), /only contain 0 and 1/],
  ];
  for (const [name, fn, re] of cases) {
    const e = errorOf(fn);
    t.type(e, InputError, name);
    if (e instanceof InputError) t.match(e.message, re, name);
  }
  // An absent class is fine for the other methods; the one-hot reader round-trips.
  t.same(Array.from(findLabelIssuesMultilabel(labelListsFromArrays([[0], [], [0], []]), pm([[0.9, 0.1], [0.2, 0.1], [0.8, 0.3], [0.1, 0.2]])).mask), [0, 0, 0, 0]);
  const oh = labelListsFromOneHot([1, 0, 1, 1, 0, 0], 3, 2);
  t.same([Array.from(oh.offsets), Array.from(oh.values)], [[0, 1, 3, 3], [0, 0, 1]]);
  t.end();
});
