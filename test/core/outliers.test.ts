/**
 * Outliers parity: every entry of every test/fixtures/outliers file (cleanlab 2.9's
 * `OutOfDistribution` fit_score, fit + score and the misc calls, raises included): scores,
 * average KNN distances and the fitted state within 1e-9, integers and names exact, the
 * warnings in cleanlab's order. Tie-sensitive entries (k ≥ 17 duplicate correction) are
 * compared with `result_stable_sort`.
 */
import t from 'tap';
import { OutOfDistribution, toFeatureMatrix, type OodInput } from '../../src/core/outliers/index.js';
import { probMatrix, type ProbMatrix } from '../../src/core/types.js';
import type { FeatureMatrix } from '../../src/core/knn.js';
import { diffClose } from '../helpers/tolerance.js';
import { entryLabel, runEntry, taskFixtures, warningTexts, type TaskFixture } from '../helpers/task-fixtures.js';

function pm(rows: number[][]): ProbMatrix {
  const k = rows[0]!.length;
  const data = new Float64Array(rows.length * k);
  rows.forEach((r, i) => data.set(r, i * k));
  return probMatrix(data, rows.length, k);
}

/** One object per top-level input, so that "the same array" is the same JS object. */
function inputsOf(fx: TaskFixture): Record<string, unknown> {
  return {
    features: toFeatureMatrix(fx['features']),
    features_test: toFeatureMatrix(fx['features_test']),
    pred_probs: pm(fx['pred_probs'] as number[][]),
    pred_probs_test: pm(fx['pred_probs_test'] as number[][]),
    labels: Int32Array.from(fx['labels'] as number[]),
  };
}

function toInput(fx: TaskFixture, inputs: Record<string, unknown>, kw: Record<string, unknown>, copy = false): OodInput {
  const pick = (v: unknown): unknown => (typeof v === 'string' && v.startsWith('$') ? inputs[v.slice(1)] : v);
  const out: OodInput = {};
  if (kw['features'] !== undefined) {
    const f = pick(kw['features']) as FeatureMatrix;
    out.features = copy ? { ...f, data: f.data.slice() } : f;
  }
  if (kw['pred_probs'] !== undefined) out.predProbs = pick(kw['pred_probs']) as ProbMatrix;
  if (kw['labels'] !== undefined) out.labels = pick(kw['labels']) as Int32Array;
  void fx;
  return out;
}

function paramsOf(fx: TaskFixture, p: Record<string, unknown>): Record<string, unknown> {
  const out = { ...p };
  if (out['confident_thresholds'] === '$confident_thresholds_of_first_entry') {
    const first = fx.expected['OutOfDistribution.fit_score']![0]!.result as { state: { confident_thresholds: number[] } };
    out['confident_thresholds'] = first.state.confident_thresholds;
  }
  return out;
}

for (const fx of taskFixtures('outliers')) {
  t.test(fx.file, async (t) => {
    const inputs = inputsOf(fx);
    let checked = 0;
    for (const [fn, entries] of Object.entries(fx.expected)) {
      entries.forEach((e, i) => {
        const label = entryLabel(fx, fn, i, e);
        const kw = (e.kwargs ?? {}) as Record<string, any>;
        let ood: OutOfDistribution | undefined;
        const r = runEntry(() => {
          if (fn === 'OutOfDistribution.fit_score') {
            ood = new OutOfDistribution(paramsOf(fx, kw['params'] ?? {}));
            const scores = ood.fitScore(toInput(fx, inputs, kw));
            const out: Record<string, unknown> = { scores: Array.from(scores), state: ood.state() };
            if (kw['features'] !== undefined) out['avg_knn_distances'] = Array.from(ood.lastAvgKnnDistances!);
            return out;
          }
          if (fn === 'OutOfDistribution.fit+score') {
            ood = new OutOfDistribution(paramsOf(fx, kw['params'] ?? {}));
            ood.fit(toInput(fx, inputs, kw['fit']));
            const state = ood.state();
            const copy = e.score_array_is_fit_array === false;
            const scores = ood.score(toInput(fx, inputs, kw['score'], copy));
            const out: Record<string, unknown> = { state_after_fit: state, scores: Array.from(scores) };
            if (kw['score']['features'] === '$features_test') out['avg_knn_distances'] = Array.from(ood.lastAvgKnnDistances!);
            return out;
          }
          if (fn === 'OutOfDistribution.misc') {
            const features = inputs['features'] as FeatureMatrix;
            ood = new OutOfDistribution();
            switch (kw['call']) {
              case 'fit_score(features) twice on one object': {
                const first = Array.from(ood.fitScore({ features }));
                const second = Array.from(ood.fitScore({ features }));
                return { first, second };
              }
              case 'score(features) before fit':
                return ood.score({ features });
              case 'score(pred_probs) before fit':
                return ood.score({ predProbs: inputs['pred_probs'] as ProbMatrix });
              case 'fit_score(features, pred_probs, labels)':
                return ood.fitScore({ features, predProbs: inputs['pred_probs'] as ProbMatrix, labels: inputs['labels'] as Int32Array });
              case 'fit_score(features=features[:, 0])':
                return ood.fitScore({ features: toFeatureMatrix((fx['features'] as number[][]).map((row) => row[0])) });
            }
          }
          throw new Error(`unknown fixture call ${fn} ${JSON.stringify(kw)}`);
        });
        if (e.raises) {
          t.ok(r.error, `${label}: raises`);
          t.equal(r.error?.message, e.message, `${label}: message`);
        } else {
          t.notOk(r.error, `${label}: no raise (${r.error?.stack})`);
          const want = e.tie_sensitive ? e.result_stable_sort : e.result;
          t.same(diffClose(r.value, want), [], `${label}: result`);
          t.same(ood?.warnings ?? [], warningTexts(e), `${label}: warnings`);
        }
        checked++;
      });
    }
    t.equal(checked, Object.values(fx.expected).reduce((a, es) => a + es.length, 0), 'every entry ran');
  });
}
