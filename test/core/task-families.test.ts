/**
 * The library surface of the token-classification and segmentation families (cleanlab's
 * names under `tokenClassification` / `segmentation`), their edge cases of spec X, and the
 * input errors the engine raises (field named, offending row/pixel in the path).
 */
import t from 'tap';
import { segmentation, tokenClassification } from '../../src/index.js';
import { expectInputErrors, type InputErrorCase } from '../helpers/inputs.js';

const TC = tokenClassification.tokenClassificationData(
  [[0, 1, 1], [2], [0, 0]],
  [
    [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.7, 0.2, 0.1]],
    [[0.2, 0.2, 0.6]],
    [[0.6, 0.3, 0.1], [0.1, 0.1, 0.8]],
  ],
);

t.test('token classification: cleanlab names and results', async (t) => {
  for (const name of ['getLabelQualityScores', 'issuesFromScores', 'findLabelIssues', 'commonLabelIssues', 'filterByToken']) {
    t.type((tokenClassification as Record<string, unknown>)[name], 'function', name);
  }
  const s = tokenClassification.getLabelQualityScores(TC);
  t.same(Array.from(s.sentenceScores), [0.2, 0.6, 0.1], 'min of self-confidences per sentence');
  t.same(s.tokenScores.map((x) => Array.from(x)), [[0.9, 0.8, 0.2], [0.6], [0.6, 0.1]]);
  const soft = tokenClassification.getLabelQualityScores(TC, { sentenceScoreMethod: 'softmin', temperature: Infinity });
  t.equal(soft.sentenceScores[1], 0.6, 'one-token sentence: its token score');
  t.ok(Math.abs(soft.sentenceScores[0]! - (0.9 + 0.8 + 0.2) / 3) < 1e-15, 'T = ∞: the mean');
  t.same(tokenClassification.issuesFromScores(s.sentenceScores, { tokenScores: s.tokenScores, threshold: 0.5 }), [
    [2, 1],
    [0, 2],
  ]);
  t.same(Array.from(tokenClassification.issuesFromScores(s.sentenceScores, { threshold: 0.5 }) as Int32Array), [2, 0]);
  t.throws(() => tokenClassification.issuesFromScores(s.sentenceScores, { threshold: 1 }), /index 3 is out of bounds for axis 0 with size 3/);
  const found = tokenClassification.findLabelIssues(TC, { filterBy: 'predicted_neq_given', minExamplesPerClass: 0 });
  t.same(found.issues, [[2, 1], [0, 2]], 'flat rows mapped back to (sentence, token), ranked');
  const warnings: string[] = [];
  const low = tokenClassification.findLabelIssues(TC, { lowMemory: true, filterBy: 'both', warnings });
  t.same(warnings, ['`filter_by` is not used when `low_memory=True`.']);
  t.same(low.flat, Int32Array.from([...low.flat].sort((a, b) => a - b)), 'low_memory: increasing token order');
});

t.test('token classification: input errors name the field', async (t) => {
  const cases: InputErrorCase<() => unknown>[] = [
    ['ragged sentence', () => tokenClassification.tokenClassificationData([[0, 1]], [[[0.5, 0.5]]]), 'pred_probs', /pred_probs\[0\] has 1 rows but labels\[0\] has 2/],
    ['K differs between rows', () => tokenClassification.tokenClassificationData([[0, 1]], [[[0.5, 0.5], [0.2, 0.3, 0.5]]]), 'pred_probs', /row of 3 classes; expected 2/],
    ['unknown sentence method', () => tokenClassification.getLabelQualityScores(TC, { sentenceScoreMethod: 'max' as never }), 'sentence_score_method', /Select from the following methods/],
    ['empty sentence', () => tokenClassification.getLabelQualityScores({ ...TC, sentenceLengths: Int32Array.of(3, 0, 1, 2) }), 'labels', /zero-size array to reduction operation minimum/],
    ['lengths do not add up', () => tokenClassification.findLabelIssues({ ...TC, sentenceLengths: Int32Array.of(3, 1) }), 'labels', /sentence_lengths sum to 4/],
    ['class id out of range', () => tokenClassification.findLabelIssues({ ...TC, labels: Int32Array.of(0, 1, 1, 2, 0, 7) }), 'pred_probs', /at least 8 columns/],
  ];
  expectInputErrors(t, cases, (run) => run());
});

// two 2×2 images, K = 2; image 1 has a confident wrong pixel
const SEG = segmentation.segmentationDataFromNested(
  [
    [[0, 0], [1, 1]],
    [[0, 1], [1, 1]],
  ],
  [
    [[[0.9, 0.8], [0.2, 0.1]], [[0.1, 0.2], [0.8, 0.9]]],
    [[[0.9, 0.95], [0.1, 0.2]], [[0.1, 0.05], [0.9, 0.8]]],
  ],
);

t.test('segmentation: cleanlab names and results', async (t) => {
  for (const name of ['getLabelQualityScores', 'issuesFromScores', 'findLabelIssues', 'commonLabelIssues', 'filterByClass']) {
    t.type((segmentation as Record<string, unknown>)[name], 'function', name);
  }
  const mask = segmentation.findLabelIssues(SEG);
  t.same(Array.from(mask), [0, 0, 0, 0, 0, 1, 0, 0], 'the confident wrong pixel of image 1');
  const scores = segmentation.getLabelQualityScores(SEG);
  t.ok(scores.imageScores[1]! < scores.imageScores[0]!, 'image 1 scores lower');
  t.same(Array.from(segmentation.issuesFromScores(scores.imageScores, { threshold: 0 })), [1], 'threshold 0: the single lowest image');
  t.same(segmentation.commonLabelIssues(mask, SEG), [{ given_label: '1', predicted_label: '0', num_pixel_issues: 1 }]);
  t.same(Array.from(segmentation.filterByClass(1, mask, SEG)), Array.from(mask));
  t.same(Array.from(segmentation.filterByClass([], mask, SEG)), [0, 0, 0, 0, 0, 0, 0, 0]);
  const n = segmentation.getLabelQualityScores(SEG, { method: 'num_pixel_issues' });
  t.same(Array.from(n.imageScores), [1, 0.75]);
});

t.test('segmentation: input errors name the field', async (t) => {
  const p = SEG.pp;
  const cases: InputErrorCase<() => unknown>[] = [
    ['labels not 3-D', () => segmentation.segmentationData(SEG.labels, [2, 4], p, [2, 2, 2, 2]), 'labels', /labels must have a shape of \(N, H, W\)/],
    ['pred_probs not 4-D', () => segmentation.segmentationData(SEG.labels, [2, 2, 2], p, [2, 2, 4]), 'pred_probs', /\(N, K, H, W\)/],
    ['N differs', () => segmentation.segmentationData(SEG.labels, [2, 2, 2], p, [1, 4, 2, 2]), 'pred_probs', /matching dimensions for N, H, and W/],
    ['ragged labels', () => segmentation.segmentationDataFromNested([[[0, 0], [1]]], [[[[1, 1], [1, 1]]]]), 'labels', /labels\[0\]\[1\] has 1 entries; expected 2/],
    ['class id out of range', () => segmentation.findLabelIssues({ ...SEG, labels: Int32Array.of(0, 0, 1, 1, 0, 2, 1, 1) }), 'labels', /labels\[1\]\[0\]\[1\] = 2 is not a class index/],
    ['batch size 0', () => segmentation.findLabelIssues(SEG, { batchSize: 0 }), 'batch_size', /Batch size must be greater than 0, got 0/],
    ['downsample not dividing', () => segmentation.findLabelIssues(SEG, { downsample: 3 }), 'downsample', /not divisible by downsample value of 3/],
    ['temperature 0', () => segmentation.getLabelQualityScores(SEG, { temperature: 0 }), 'temperature', /temperature cannot be zero/],
    ['threshold > 1', () => segmentation.issuesFromScores([0.5], { threshold: 1.5 }), 'threshold', /threshold must be between 0 and 1/],
  ];
  expectInputErrors(t, cases, (run) => run());
});
