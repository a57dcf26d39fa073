/**
 * Parity with cleanlab 2.9 (the acceptance test): EVERY entry of EVERY fixture file in
 * test/fixtures/parity/ — each function, each recorded kwargs combination, each recorded
 * `raises`. Integers, masks and indices must be identical; floats within 1e-9.
 *
 * Ties: with the stable rule (our documented rule) an entry is compared with
 * `result_stable_sort` when `tie_sensitive`, else with `result`. Additionally every entry is
 * re-run with numpy 1.24's introsort tie order (spec §13) and compared with `result`
 * (cleanlab's own output on the reference machine).
 *
 * Unknown function names, unknown kwargs or unknown kwarg values FAIL: nothing is skipped.
 */
import t from 'tap';
import {
  computeConfidentJoint,
  computeConfidentJointFull,
  estimateJoint,
  estimatePyAndNoiseMatricesFromProbabilities,
  findLabelIssues,
  findLabelIssuesRanked,
  findOverlappingClasses,
  getConfidentThresholds,
  getLabelQualityScores,
  healthSummary,
  numLabelIssues,
  overallLabelHealthScore,
  rankClassesByLabelQuality,
  type ClassHealth,
  type FilterBy,
  type NumLabelIssuesMethod,
  type OverlappingPair,
  type ProbMatrix,
  type RankBy,
  type TieOrder,
} from '../../src/core/index.js';
import { checkRaises, diffWarnings, entriesOf, loadParityFixture, parityFiles, toInputs, type FixtureEntry, type ParityFixture } from '../helpers/fixtures.js';
import { diffClose, diffIntegers } from '../helpers/tolerance.js';

interface Ctx {
  fx: ParityFixture;
  labels: Int32Array;
  pp: ProbMatrix;
}

type Kwargs = Record<string, unknown>;
/** what a runner returns: the value in the fixture's shape, and warnings it collected */
interface Out {
  value: unknown;
  warnings?: string[];
}
interface Runner {
  kwargs: readonly string[];
  /** 'int': exact integers; 'float': 1e-9; 'mixed': records/objects with ints and floats */
  kind: 'int' | 'float' | 'mixed' | 'find';
  run(ctx: Ctx, kw: Kwargs, ties: TieOrder): Out;
}

const CJ_UNCALIBRATED_EXPR = 'compute_confident_joint(labels, pred_probs, calibrate=False)';

function classHealthRecord(r: ClassHealth): Record<string, number> {
  return {
    class_index: r.classIndex,
    label_issues: r.labelIssues,
    inverse_label_issues: r.inverseLabelIssues,
    label_noise: r.labelNoise,
    inverse_label_noise: r.inverseLabelNoise,
    label_quality_score: r.labelQualityScore,
  };
}
function overlapRecord(r: OverlappingPair): Record<string, number> {
  return {
    class_index_a: r.classIndexA,
    class_index_b: r.classIndexB,
    num_overlapping_examples: r.numOverlappingExamples,
    joint_probability: r.jointProbability,
  };
}

function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`kwarg ${name} must be boolean, got ${JSON.stringify(v)}`);
  return v;
}

const RUNNERS: Record<string, Runner> = {
  get_confident_thresholds: {
    kwargs: [],
    kind: 'float',
    run: ({ labels, pp }) => ({ value: getConfidentThresholds(labels, pp) }),
  },
  compute_confident_joint: {
    kwargs: ['calibrate'],
    kind: 'int',
    run: ({ labels, pp }, kw, ties) => ({
      value: computeConfidentJoint(labels, pp, { calibrate: bool(kw.calibrate ?? true, 'calibrate'), tieOrder: ties }),
    }),
  },
  compute_confident_joint_return_indices_of_off_diagonals: {
    kwargs: ['calibrate', 'return_indices_of_off_diagonals'],
    kind: 'int',
    run: ({ labels, pp }, kw, ties) => {
      if (kw.return_indices_of_off_diagonals !== true) throw new Error('expected return_indices_of_off_diagonals=true');
      const full = computeConfidentJointFull(labels, pp, { tieOrder: ties });
      const calibrate = bool(kw.calibrate ?? true, 'calibrate');
      return {
        value: {
          confident_joint: calibrate ? full.calibrated : full.confidentJoint,
          indices_off_diagonal: full.offDiagonalIndices,
        },
      };
    },
  },
  estimate_joint: {
    kwargs: [],
    kind: 'float',
    run: ({ labels, pp }, _kw, ties) => ({ value: estimateJoint(labels, pp, { tieOrder: ties }) }),
  },
  estimate_py_and_noise_matrices_from_probabilities: {
    kwargs: ['converge_latent_estimates'],
    kind: 'float',
    run: ({ labels, pp }, kw, ties) => {
      const r = estimatePyAndNoiseMatricesFromProbabilities(labels, pp, {
        convergeLatentEstimates: bool(kw.converge_latent_estimates ?? true, 'converge_latent_estimates'),
        tieOrder: ties,
      });
      return {
        value: {
          py: r.py,
          noise_matrix: r.noiseMatrix,
          inverse_noise_matrix: r.inverseNoiseMatrix,
          confident_joint: r.confidentJoint,
        },
      };
    },
  },
  num_label_issues: {
    kwargs: ['estimation_method', 'confident_joint'],
    kind: 'int',
    run: ({ labels, pp }, kw, ties) => {
      const warnings: string[] = [];
      let confidentJoint;
      if (kw.confident_joint !== undefined) {
        if (kw.confident_joint !== CJ_UNCALIBRATED_EXPR) throw new Error(`unknown confident_joint kwarg ${String(kw.confident_joint)}`);
        confidentJoint = computeConfidentJoint(labels, pp, { calibrate: false, tieOrder: ties });
      }
      const value = numLabelIssues(labels, pp, {
        estimationMethod: (kw.estimation_method ?? 'off_diagonal') as NumLabelIssuesMethod,
        ...(confidentJoint ? { confidentJoint, sumOrder: 'column' as const } : {}),
        tieOrder: ties,
        warnings,
      });
      return { value, warnings };
    },
  },
  find_label_issues: {
    kwargs: [
      'filter_by',
      'frac_noise',
      'num_to_remove_per_class',
      'min_examples_per_class',
      'return_indices_ranked_by',
      'rank_by_kwargs',
    ],
    kind: 'find',
    run: ({ labels, pp }, kw, ties) => {
      const opts = {
        ...(kw.filter_by !== undefined ? { filterBy: kw.filter_by as FilterBy } : {}),
        ...(kw.frac_noise !== undefined ? { fracNoise: kw.frac_noise as number } : {}),
        ...(kw.num_to_remove_per_class !== undefined ? { numToRemovePerClass: kw.num_to_remove_per_class as number[] } : {}),
        ...(kw.min_examples_per_class !== undefined ? { minExamplesPerClass: kw.min_examples_per_class as number } : {}),
        tieOrder: ties,
      };
      const rankKw = (kw.rank_by_kwargs ?? {}) as Kwargs;
      for (const key of Object.keys(rankKw)) {
        if (key !== 'adjust_pred_probs') throw new Error(`unknown rank_by_kwargs key ${key}`);
      }
      if (kw.return_indices_ranked_by !== undefined && kw.return_indices_ranked_by !== null) {
        const warnings: string[] = [];
        const value = findLabelIssuesRanked(labels, pp, {
          ...opts,
          rankBy: kw.return_indices_ranked_by as RankBy,
          adjustPredProbs: bool(rankKw.adjust_pred_probs ?? false, 'adjust_pred_probs'),
          warnings,
        });
        return { value: { output: 'indices', data: Array.from(value) }, warnings };
      }
      if (kw.rank_by_kwargs !== undefined) throw new Error('rank_by_kwargs without return_indices_ranked_by');
      const r = findLabelIssues(labels, pp, opts);
      return { value: { output: 'mask', data: Array.from(r.mask, (b) => b === 1), indices: r.indices }, warnings: r.warnings };
    },
  },
  get_label_quality_scores: {
    kwargs: ['method', 'adjust_pred_probs'],
    kind: 'float',
    run: ({ labels, pp }, kw) => ({
      value: getLabelQualityScores(labels, pp, {
        method: (kw.method ?? 'self_confidence') as RankBy,
        adjustPredProbs: bool(kw.adjust_pred_probs ?? false, 'adjust_pred_probs'),
      }),
    }),
  },
  rank_classes_by_label_quality: {
    kwargs: [],
    kind: 'mixed',
    run: ({ labels, pp }, _kw, ties) => ({ value: rankClassesByLabelQuality(labels, pp, { tieOrder: ties }).map(classHealthRecord) }),
  },
  overall_label_health_score: {
    kwargs: [],
    kind: 'float',
    run: ({ labels, pp }, _kw, ties) => {
      const warnings: string[] = [];
      return { value: overallLabelHealthScore(labels, pp, { tieOrder: ties, warnings }), warnings };
    },
  },
  find_overlapping_classes: {
    kwargs: [],
    kind: 'mixed',
    run: ({ labels, pp }, _kw, ties) => ({ value: findOverlappingClasses(labels, pp, { tieOrder: ties }).map(overlapRecord) }),
  },
  health_summary: {
    kwargs: ['verbose'],
    kind: 'mixed',
    run: ({ labels, pp }, kw, ties) => {
      if (kw.verbose !== undefined && kw.verbose !== false) throw new Error('verbose must be false');
      const warnings: string[] = [];
      const h = healthSummary(labels, pp, { tieOrder: ties, warnings });
      return {
        value: {
          overall_label_health_score: h.overallLabelHealthScore,
          joint: h.joint,
          classes_by_label_quality: h.classesByLabelQuality.map(classHealthRecord),
          overlapping_classes: h.overlappingClasses.map(overlapRecord),
        },
        warnings,
      };
    },
  },
};

/** Resolve `{"same_as": "expected.fn"}` references inside an expected result. */
function resolveSameAs(fx: ParityFixture, value: unknown, variant: 'result' | 'result_stable_sort'): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && typeof obj.same_as === 'string') {
    const ref = obj.same_as;
    if (!ref.startsWith('expected.')) throw new Error(`bad same_as ${ref}`);
    const target = fx.expected[ref.slice('expected.'.length)];
    if (!target || Array.isArray(target)) throw new Error(`same_as target ${ref} missing or not a single entry`);
    return variant === 'result_stable_sort' && target.tie_sensitive ? target.result_stable_sort : target.result;
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = resolveSameAs(fx, obj[key], variant);
  return out;
}

function compare(runner: Runner, entry: FixtureEntry, actual: Out, expected: unknown): string[] {
  if (runner.kind === 'find') {
    const v = actual.value as { output: string; data: unknown[]; indices?: Int32Array };
    const problems: string[] = [];
    if (entry.output && v.output !== entry.output) problems.push(`output kind ${v.output} ≠ ${entry.output}`);
    problems.push(...diffIntegers(v.data, expected));
    if (entry.num_issues !== undefined) {
      const n = v.output === 'mask' ? v.data.filter(Boolean).length : v.data.length;
      if (n !== entry.num_issues && expected === entry.result) problems.push(`num_issues ${n} ≠ ${entry.num_issues}`);
    }
    if (v.indices) {
      const fromMask: number[] = [];
      v.data.forEach((b, i) => b && fromMask.push(i));
      problems.push(...diffIntegers(v.indices, fromMask, '$indices'));
    }
    problems.push(...diffWarnings(actual.warnings ?? [], entry.warnings));
    return problems;
  }
  const problems = runner.kind === 'int' ? diffIntegers(actual.value, expected) : diffClose(actual.value, expected);
  problems.push(...diffWarnings(actual.warnings ?? [], entry.warnings));
  return problems;
}

let totalEntries = 0;

for (const file of parityFiles()) {
  t.test(file, async (t) => {
    const fx = loadParityFixture(file);
    const { labels, pp } = toInputs(fx);
    const ctx: Ctx = { fx, labels, pp };
    for (const [fn, raw] of Object.entries(fx.expected)) {
      const runner = RUNNERS[fn];
      if (!runner) {
        t.fail(`${file}: unknown cleanlab function in fixture: ${fn}`);
        continue;
      }
      entriesOf(raw).forEach((entry, idx) => {
        totalEntries++;
        const kw = (entry.kwargs ?? {}) as Kwargs;
        const label = `${fn}#${idx} ${JSON.stringify(kw)}`;
        const unknown = Object.keys(kw).filter((key) => !runner.kwargs.includes(key));
        if (unknown.length > 0) {
          t.fail(`${label}: unknown kwargs ${unknown.join(', ')}`);
          return;
        }
        if (entry.raises !== undefined) {
          checkRaises(t, label, entry, (ties) => runner.run(ctx, kw, ties));
          return;
        }
        if (entry.result === undefined) {
          t.fail(`${label}: entry has neither result nor raises`);
          return;
        }
        if (entry.tie_sensitive && entry.result_stable_sort === undefined) {
          t.fail(`${label}: tie_sensitive without result_stable_sort`);
          return;
        }
        // our documented rule: stable sorts
        const stableExpected = entry.tie_sensitive
          ? resolveSameAs(fx, entry.result_stable_sort, 'result_stable_sort')
          : resolveSameAs(fx, entry.result, 'result');
        const stable = compare(runner, entry, runner.run(ctx, kw, 'stable'), stableExpected);
        t.same(stable, [], `${label} [stable${entry.tie_sensitive ? ', tie-sensitive → result_stable_sort' : ''}]`);
        // numpy 1.24's introsort tie order must reproduce cleanlab's own `result`
        const numpy = compare(runner, entry, runner.run(ctx, kw, 'numpy'), resolveSameAs(fx, entry.result, 'result'));
        t.same(numpy, [], `${label} [numpy tie order → result]`);
      });
    }
  });
}

t.teardown(() => {
  // every file contributes entries; a silently empty run would be a broken loader
  if (totalEntries < 100) throw new Error(`only ${totalEntries} fixture entries ran`);
});

t.test('fixture inventory', async (t) => {
  const files = parityFiles();
  t.equal(files.length, 13, 'all 13 parity fixture files are present');
  let n = 0;
  for (const f of files) for (const raw of Object.values(loadParityFixture(f).expected)) n += entriesOf(raw).length;
  t.ok(n >= 400, `${n} entries enumerated`);
  t.equal(totalEntries, n, 'every enumerated entry was run by the file tests above');
});
