/** The library exports the task-type families under cleanlab's module and function names. */
import t from 'tap';
import { objectDetection, outlier, OutOfDistribution, regression } from '../../src/index.js';

t.test('cleanlab names', async (t) => {
  for (const name of [
    'getLabelQualityScores',
    'issuesFromScores',
    'computeOverlookedBoxScores',
    'computeBadlocBoxScores',
    'computeSwapBoxScores',
    'poolBoxScoresPerImage',
    'findLabelIssues',
    'objectCountsPerImage',
    'getSortedBboxCountIdxs',
    'boundingBoxSizeDistribution',
    'classLabelDistribution',
    'getAveragePerClassConfusionMatrix',
    'calculatePerClassMetrics',
  ]) {
    t.type((objectDetection as Record<string, unknown>)[name], 'function', `objectDetection.${name}`);
  }
  t.type(regression.getLabelQualityScores, 'function');
  t.equal(outlier.OutOfDistribution, OutOfDistribution);
  const scores = regression.getLabelQualityScores([1, 2, 3, 10], [1, 2, 3, 4]);
  t.equal(scores[3]! < 1e-10, true, 'the gross error scores lowest');
  const ood = new OutOfDistribution({ k: 2 });
  const s = ood.fitScore({ features: outlier.toFeatureMatrix([[0, 0], [0, 1], [1, 0], [1, 1], [50, 50]]) });
  t.ok(s[4]! < Math.min(s[0]!, s[1]!, s[2]!, s[3]!), 'the far point is the outlier');
});
