/**
 * Parity with cleanlab 2.9 `token_classification` (spec task-types.md Part A): every entry
 * of every fixture in test/fixtures/token-classification/, raises included, under the
 * stable tie rule (→ result_stable_sort where tie-sensitive) and numpy's introsort (→ result).
 */
import t from 'tap';
import {
  commonLabelIssues,
  filterByToken,
  findLabelIssues,
  getLabelQualityScores,
  issuesFromScores,
  tokenClassificationData,
  type TokenClassificationData,
  type TokenIssue,
} from '../../src/core/token-classification/index.js';
import type { FilterBy, RankBy } from '../../src/core/types.js';
import { runTaskFixtureSuite, type TaskFixture, type TaskRunner } from '../helpers/fixtures.js';
import { diffExact } from '../helpers/tolerance.js';

interface Ctx {
  fx: TaskFixture;
  data: TokenClassificationData;
  tokens: string[][];
}

type Kw = Record<string, unknown>;

function pairs(v: unknown): TokenIssue[] {
  return (v as number[][]).map(([i, j]) => [i!, j!] as TokenIssue);
}

/** The file's own labels/pred_probs are the only ones the fixtures pass. */
function sameInput(ctx: Ctx, v: unknown, name: string): boolean {
  if (v === undefined || v === null) return false;
  if (v !== ctx.fx[name]) throw new Error(`${name} is not the file's input`);
  return true;
}

/** cleanlab's confidence_weighted_entropy token scores recorded in the fixture. */
function cweScores(fx: TaskFixture): number[][] {
  const entry = fx.expected['rank.get_label_quality_scores']!.find(
    (e) => e.kwargs?.token_score_method === 'confidence_weighted_entropy' && e.kwargs?.sentence_score_method === undefined,
  );
  return (entry!.result as { token_scores: number[][] }).token_scores;
}

/**
 * Deliberate difference (README "Token classification", N3): cleanlab's cwe scores come from
 * numpy's SIMD `log`, which differs from a correctly rounded log in the last ulp, and on
 * the 0.05-grid fixture two mathematically equal scores are ordered by that ulp. A ranking
 * may therefore differ from cleanlab's only where the two tokens' recorded cleanlab scores are
 * within 4 ulps; everything else must be identical.
 */
function diffOrderUpToUlpTies(actual: TokenIssue[], expected: TokenIssue[], scores: number[][]): string[] {
  if (actual.length !== expected.length) return [`length ${actual.length} ≠ ${expected.length}`];
  const key = ([i, j]: TokenIssue): string => `${i},${j}`;
  const a = actual.map(key).sort();
  const e = expected.map(key).sort();
  if (a.join(';') !== e.join(';')) return ['different sets of issues'];
  const problems: string[] = [];
  actual.forEach((pair, p) => {
    const want = expected[p]!;
    if (key(pair) === key(want)) return;
    const sa = scores[pair[0]]![pair[1]]!;
    const se = scores[want[0]]![want[1]]!;
    if (Math.abs(sa - se) > 4 * Number.EPSILON * Math.abs(se)) problems.push(`$[${p}]: ${key(pair)} (score ${sa}) where cleanlab has ${key(want)} (score ${se})`);
  });
  return problems;
}

const RUNNERS: Record<string, TaskRunner<Ctx>> = {
  'rank.get_label_quality_scores': {
    kwargs: ['token_score_method', 'sentence_score_method', 'sentence_score_kwargs', 'tokens'],
    kind: 'float',
    run: ({ data }, kw) => {
      const skw = (kw.sentence_score_kwargs ?? {}) as Kw;
      for (const key of Object.keys(skw)) if (key !== 'temperature') throw new Error(`unknown sentence_score_kwargs ${key}`);
      const temperature = skw.temperature === 'inf' ? Infinity : (skw.temperature as number | undefined);
      const r = getLabelQualityScores(data, {
        ...(kw.token_score_method !== undefined ? { tokenScoreMethod: kw.token_score_method as RankBy } : {}),
        ...(kw.sentence_score_method !== undefined ? { sentenceScoreMethod: kw.sentence_score_method as 'min' } : {}),
        ...(temperature !== undefined ? { temperature } : {}),
      });
      // with `tokens`, cleanlab indexes each Series by the words; the values are unchanged
      return { value: { sentence_scores: Array.from(r.sentenceScores), token_scores: r.tokenScores.map((s) => Array.from(s)) } };
    },
  },
  'rank.issues_from_scores': {
    kwargs: ['sentence_scores', 'token_scores', 'threshold'],
    kind: 'exact',
    run: (_ctx, kw, ties) => {
      const r = issuesFromScores(kw.sentence_scores as number[], {
        tokenScores: (kw.token_scores as number[][] | undefined) ?? null,
        ...(kw.threshold !== undefined ? { threshold: kw.threshold as number } : {}),
        tieOrder: ties,
      });
      return { value: r instanceof Int32Array ? Array.from(r) : r };
    },
  },
  'filter.find_label_issues': {
    kwargs: ['return_indices_ranked_by', 'filter_by', 'frac_noise', 'min_examples_per_class', 'low_memory'],
    kind: 'exact',
    run: ({ data }, kw, ties) => {
      const warnings: string[] = [];
      const r = findLabelIssues(data, {
        ...(kw.return_indices_ranked_by !== undefined ? { rankBy: kw.return_indices_ranked_by as RankBy } : {}),
        ...(kw.filter_by !== undefined ? { filterBy: kw.filter_by as FilterBy } : {}),
        ...(kw.frac_noise !== undefined ? { fracNoise: kw.frac_noise as number } : {}),
        ...(kw.min_examples_per_class !== undefined ? { minExamplesPerClass: kw.min_examples_per_class as number } : {}),
        lowMemory: kw.low_memory === true,
        tieOrder: ties,
        warnings,
      });
      return { value: r.issues, warnings };
    },
    compare: (ctx, kw, actual, expected) =>
      kw.return_indices_ranked_by === 'confidence_weighted_entropy'
        ? diffOrderUpToUlpTies(actual as TokenIssue[], expected as TokenIssue[], cweScores(ctx.fx))
        : diffExact(actual, expected),
  },
  'summary.common_label_issues': {
    kwargs: ['issues', 'tokens', 'labels', 'pred_probs', 'class_names', 'top', 'exclude', 'verbose'],
    kind: 'exact',
    run: (ctx, kw) => {
      if (kw.verbose !== false) throw new Error('verbose must be false');
      const withData = sameInput(ctx, kw.labels, 'labels') && sameInput(ctx, kw.pred_probs, 'pred_probs');
      const value = commonLabelIssues(pairs(kw.issues), kw.tokens as string[][], {
        data: withData ? ctx.data : null,
        classNames: (kw.class_names as string[] | undefined) ?? null,
        // JSON pairs are Python tuples in cleanlab's call (fixture README)
        exclude: ((kw.exclude as number[][] | undefined) ?? []).map(([g, p]) => [g!, p!] as [number, number]),
      });
      return { value };
    },
  },
  'summary.filter_by_token': {
    kwargs: ['token', 'issues', 'tokens'],
    kind: 'exact',
    run: (_ctx, kw) => ({ value: filterByToken(kw.token as string, pairs(kw.issues), kw.tokens as string[][]) }),
  },
};

runTaskFixtureSuite(
  t,
  'token-classification',
  (fx) => ({
    fx,
    data: tokenClassificationData(fx.labels as number[][], fx.pred_probs as number[][][]),
    tokens: fx.tokens as string[][],
  }),
  RUNNERS,
);
