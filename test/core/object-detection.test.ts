/**
 * Object-detection parity: every entry of every test/fixtures/object-detection file
 * (cleanlab 2.9's `object_detection.rank`, `.filter`, `.summary`, raises included), under
 * both tie rules: numpy 1.24's introsort must give `result`, the stable rule
 * `result_stable_sort` where the entry is tie-sensitive (else `result`). Masks, indices and
 * counts exact, floats within 1e-9 (null = NaN). Also the recorded diagnostics: per-class
 * AP × 0.25 thresholds and min_possible_similarity.
 */
import t from 'tap';
import type { TieOrder } from '../../src/core/argsort.js';
import {
  boundingBoxSizeDistribution,
  calculatePerClassMetrics,
  classLabelDistribution,
  computeBadlocBoxScores,
  computeOverlookedBoxScores,
  computeSwapBoxScores,
  datasetGeometry,
  findLabelIssues,
  getAveragePerClassConfusionMatrix,
  getLabelQualityScores,
  getSortedBboxCountIdxs,
  issuesFromScores,
  minPossibleSimilarity,
  objectCountsPerImage,
  odData,
  perClassApThresholds,
  poolBoxScoresPerImage,
  type OdLabel,
  type OdPrediction,
} from '../../src/core/object-detection/index.js';
import { diffClose } from '../helpers/tolerance.js';
import { entryLabel, resolveRef, runEntry, taskFixtures } from '../helpers/task-fixtures.js';

const TIES: TieOrder[] = ['numpy', 'stable'];

for (const fx of taskFixtures('object-detection')) {
  t.test(fx.file, async (t) => {
    const data = odData(fx['labels'] as OdLabel[], fx['predictions'] as OdPrediction[]);
    const diag = fx['diagnostics'] as Record<string, unknown>;
    // diagnostics: min_possible_similarity (exact) and per-class AP × 0.25 under both tie rules
    t.equal(minPossibleSimilarity(datasetGeometry(data, 0.9)), diag['min_possible_similarity_alpha_0.9'], 'min_possible_similarity');
    for (const ties of TIES) {
      const want = (ties === 'stable' && diag['per_class_ap_times_0.25_stable_sort']) || diag['per_class_ap_times_0.25'];
      const got = Array.from(perClassApThresholds(data, { ties }), (v, c) => [c, v]);
      t.same(diffClose(got, want, 0), [], `per-class AP × 0.25 thresholds (${ties}), bit-identical`);
    }
    let checked = 0;
    for (const [fn, entries] of Object.entries(fx.expected)) {
      entries.forEach((e, i) => {
        const label = entryLabel(fx, fn, i, e);
        const kw = (e.kwargs ?? {}) as Record<string, any>;
        const box = {
          ...(kw['alpha'] !== undefined ? { alpha: kw['alpha'] } : {}),
          ...(kw['low_probability_threshold'] !== undefined ? { lowProbabilityThreshold: kw['low_probability_threshold'] } : {}),
          ...(kw['high_probability_threshold'] !== undefined ? { highProbabilityThreshold: kw['high_probability_threshold'] } : {}),
          ...(kw['overlapping_label_check'] !== undefined ? { overlappingLabelCheck: kw['overlapping_label_check'] } : {}),
        };
        const names = kw['class_names'] ?? null;
        const run = (ties: TieOrder): unknown => {
          const arr = (xs: ArrayLike<number>[]): number[][] => xs.map((x) => Array.from(x));
          switch (fn) {
            case 'rank.get_label_quality_scores':
              return Array.from(getLabelQualityScores(data, { aggregationWeights: kw['aggregation_weights'] ?? null, ...box }));
            case 'rank.issues_from_scores':
              return Array.from(
                issuesFromScores(resolveRef(fx, kw['label_quality_scores']) as number[], {
                  ties,
                  ...(kw['threshold'] !== undefined ? { threshold: kw['threshold'] } : {}),
                }),
              );
            case 'rank.compute_overlooked_box_scores':
              return arr(computeOverlookedBoxScores(data, box));
            case 'rank.compute_badloc_box_scores':
              return arr(computeBadlocBoxScores(data, box));
            case 'rank.compute_swap_box_scores':
              return arr(computeSwapBoxScores(data, box));
            case 'rank.pool_box_scores_per_image': {
              const bs = (resolveRef(fx, kw['box_scores']) as (number | null)[][]).map((r) => r.map((v) => (v === null ? NaN : v)));
              return Array.from(poolBoxScoresPerImage(bs, { temperature: kw['temperature'] ?? null }));
            }
            case 'filter.find_label_issues': {
              const r = findLabelIssues(data, {
                ties,
                returnIndicesRankedByScore: kw['return_indices_ranked_by_score'] ?? false,
                overlappingLabelCheck: kw['overlapping_label_check'] ?? true,
              });
              return kw['return_indices_ranked_by_score'] ? Array.from(r) : Array.from(r, (v) => v === 1);
            }
            case 'summary.object_counts_per_image':
              return objectCountsPerImage(data);
            case 'summary.get_sorted_bbox_count_idxs':
              return getSortedBboxCountIdxs(data);
            case 'summary.bounding_box_size_distribution':
              return boundingBoxSizeDistribution(data, { classNames: names, sort: kw['sort'] ?? false });
            case 'summary.class_label_distribution':
              return classLabelDistribution(data, { classNames: names });
            case 'summary.calculate_per_class_metrics':
              return calculatePerClassMetrics(data, { classNames: names, ties });
            case 'summary.get_average_per_class_confusion_matrix':
              return getAveragePerClassConfusionMatrix(data, { classNames: names, ties });
          }
          throw new Error(`unknown fixture function ${fn}`);
        };
        for (const ties of TIES) {
          const r = runEntry(() => run(ties));
          if (e.raises) {
            t.ok(r.error, `${label} (${ties}): raises`);
            t.equal(r.error?.message, e.message, `${label} (${ties}): message`);
          } else {
            t.notOk(r.error, `${label} (${ties}): no raise (${r.error?.stack})`);
            const want = ties === 'stable' && e.tie_sensitive ? e.result_stable_sort : e.result;
            t.same(diffClose(r.value, want), [], `${label} (${ties})`);
          }
        }
        checked++;
      });
    }
    t.equal(checked, Object.values(fx.expected).reduce((a, es) => a + es.length, 0), 'every entry ran');
  });
}
