import t from 'tap';
import {
  formatNumber,
  toLabels,
  validateClassificationInput,
  validateClassNames,
  validatePredProbs,
} from '../../src/io/validate.js';
import type { ProbMatrix } from '../../src/core/types.js';
import { expectInputError, randomClassification } from './helpers.js';
import { probMatrixFromRows } from '../helpers/inputs.js';

const pm = probMatrixFromRows;

/** 20 valid rows of K=3, with row `bad` replaced. */
function withRow(bad: number, row: number[]): ProbMatrix {
  const rows = Array.from({ length: 20 }, (_, i) => (i === bad ? row : [0.2, 0.3, 0.5]));
  return pm(rows);
}

t.test('valid input passes and is returned in engine form', async (t) => {
  const { pp, labels } = randomClassification(500, 7, 3);
  const out = validateClassificationInput({
    labels: Array.from(labels),
    predProbs: { data: pp, n: 500, k: 7 },
    classNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
  });
  t.ok(out.labels instanceof Int32Array);
  t.same(Array.from(out.labels), Array.from(labels));
  t.equal(out.predProbs.data, pp, 'pred_probs passed through without a copy');
  t.same(out.classNames, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  const noNames = validateClassificationInput({ labels, predProbs: { data: Float32Array.from(pp), n: 500, k: 7 } });
  t.equal(noNames.classNames, undefined);
  t.notOk('classNames' in noNames, 'no classNames key when absent');
  t.equal(noNames.labels, labels, 'an Int32Array is validated in place, not copied');
});

t.test('N >= 1 and K >= 2', async (t) => {
  expectInputError(t, () => validatePredProbs({ data: new Float64Array(0), n: 0, k: 3 }), {
    field: 'pred_probs',
    message: 'pred_probs is empty: it needs at least one row (one per example)',
  }, 'N=0');
  expectInputError(t, () => validatePredProbs(pm([[1], [1]])), {
    field: 'pred_probs',
    message: 'pred_probs has 1 column; it needs at least 2 (one column per class, K >= 2)',
  }, 'K=1');
  expectInputError(t, () => validatePredProbs({ data: new Float64Array(0), n: 2, k: 0 }), {
    field: 'pred_probs',
    message: 'pred_probs has 0 columns; it needs at least 2 (one column per class, K >= 2)',
  }, 'K=0');
  expectInputError(t, () => validatePredProbs({ data: new Float64Array(5), n: 2, k: 3 }), {
    field: 'pred_probs',
    message: 'pred_probs holds 5 values, which is not 2 rows × 3 columns',
  }, 'length mismatch');
  expectInputError(t, () => validateClassificationInput({ labels: [0], predProbs: pm([[1]]) }), {
    field: 'pred_probs',
    message: /it needs at least 2/,
  }, 'K=1 via validateClassificationInput');
  expectInputError(t, () => validateClassificationInput({ labels: [], predProbs: { data: new Float64Array(0), n: 0, k: 2 } }), {
    field: 'pred_probs',
    message: /is empty/,
  }, 'N=0 via validateClassificationInput');
  // minColumns option (e.g. other entry points)
  validatePredProbs(pm([[0.3], [0.9]]), 'pred_probs', { minColumns: 1, rowSums: false });
  t.pass('minColumns 1 accepts a single column');
});

t.test('values must be finite and within [0, 1] (tolerance 1e-6)', async (t) => {
  const cases: [number, string][] = [
    [NaN, 'pred_probs[7][1] = NaN is not a finite number; probabilities must be finite numbers between 0 and 1'],
    [Infinity, 'pred_probs[7][1] = Infinity is not a finite number; probabilities must be finite numbers between 0 and 1'],
    [-Infinity, 'pred_probs[7][1] = -Infinity is not a finite number; probabilities must be finite numbers between 0 and 1'],
    [-0.1, 'pred_probs[7][1] = -0.1 is outside [0, 1]; probabilities must be between 0 and 1'],
    [1.5, 'pred_probs[7][1] = 1.5 is outside [0, 1]; probabilities must be between 0 and 1'],
    [-2e-6, 'pred_probs[7][1] = -0.000002 is outside [0, 1]; probabilities must be between 0 and 1'],
    [1 + 2e-6, 'pred_probs[7][1] = 1.000002 is outside [0, 1]; probabilities must be between 0 and 1'],
  ];
  for (const [v, message] of cases) {
    expectInputError(t, () => validatePredProbs(withRow(7, [0.2, v, 0.5])), {
      field: 'pred_probs',
      row: 7,
      column: 1,
      message,
      path: 'pred_probs[7][1]',
    }, `value ${v}`);
  }
  // Within cleanlab's tolerance: accepted unchanged.
  const tol = withRow(3, [-1e-7, 0.5, 0.5 + 1e-7]);
  validatePredProbs(tol);
  t.equal(tol.data[9], -1e-7, 'tolerated value is not clipped');
  validatePredProbs(withRow(3, [1 + 9e-7, 0, 0]));
  t.pass('1 + 9e-7 accepted');
  // Float32 input works the same.
  expectInputError(t, () => validatePredProbs(pm([[0.5, 0.5], [NaN, 1]], true)), {
    field: 'pred_probs',
    row: 1,
    column: 0,
    message: /= NaN is not a finite number/,
  }, 'float32 NaN');
});

t.test('rows sum to 1 within 1e-3', async (t) => {
  expectInputError(t, () => validatePredProbs(withRow(17, [0.2, 0.23, 0.5])), {
    field: 'pred_probs',
    row: 17,
    message: 'pred_probs row 17 sums to 0.93; rows must sum to 1 within 1e-3',
    path: 'pred_probs[17]',
  }, '0.93');
  expectInputError(t, () => validatePredProbs(withRow(0, [0.5, 0.5, 0.0011])), {
    field: 'pred_probs',
    row: 0,
    message: 'pred_probs row 0 sums to 1.0011; rows must sum to 1 within 1e-3',
  }, '1.0011');
  // A failing sum is never printed as a passing one.
  const err = expectInputError(t, () => validatePredProbs(withRow(2, [0.5, 0.5, 0.0010001])), {
    field: 'pred_probs',
    row: 2,
    message: /^pred_probs row 2 sums to 1\.0010001/,
  }, 'just over');
  t.ok(err);
  validatePredProbs(withRow(4, [0.2, 0.3, 0.5009]));
  validatePredProbs(withRow(4, [0.2, 0.3, 0.4991]));
  t.pass('sums 1.0009 and 0.9991 accepted');
  expectInputError(t, () => validatePredProbs(pm([[0, 0], [0.5, 0.5]])), {
    field: 'pred_probs',
    row: 0,
    message: 'pred_probs row 0 sums to 0; rows must sum to 1 within 1e-3',
  }, 'all zeros');
  validatePredProbs(pm([[0.9, 0.9], [0.1, 0.2]]), 'pred_probs', { rowSums: false });
  t.pass('rowSums: false skips the sum rule (multi-label)');
  expectInputError(t, () => validatePredProbs(pm([[0.9, 1.9]]), 'pred_probs', { rowSums: false }), {
    field: 'pred_probs',
    row: 0,
    column: 1,
    message: /outside \[0, 1\]/,
  }, 'rowSums:false still checks values');
});

t.test('the first offending row is reported, value errors before the sum in a row', async (t) => {
  const rows = Array.from({ length: 10 }, () => [0.5, 0.5]);
  rows[6] = [0.5, NaN];
  rows[4] = [0.3, 0.3];
  expectInputError(t, () => validatePredProbs(pm(rows)), { field: 'pred_probs', row: 4, message: /row 4 sums to 0\.6/ });
  rows[4] = [0.5, 0.5];
  rows[6] = [1.5, -0.5]; // sums to 1 but values bad: column 0 reported
  expectInputError(t, () => validatePredProbs(pm(rows)), { field: 'pred_probs', row: 6, column: 0, message: /1\.5 is outside/ });
});

t.test('labels: integers in [0, K)', async (t) => {
  expectInputError(t, () => toLabels([0, 1, 2, 3, 7], 5), {
    field: 'labels',
    row: 4,
    message: 'labels[4] = 7 is out of range: labels must be integers in [0, 5) for 5 columns of pred_probs',
    path: 'labels[4]',
  }, '7');
  expectInputError(t, () => toLabels([0, 5], 5), { field: 'labels', row: 1, message: /labels\[1\] = 5 is out of range/ }, 'K');
  expectInputError(t, () => toLabels([0, -1], 5), { field: 'labels', row: 1, message: /labels\[1\] = -1 is out of range/ }, '-1');
  expectInputError(t, () => toLabels([0, 1.5], 5), {
    field: 'labels',
    row: 1,
    message: 'labels[1] = 1.5 is not an integer: labels must be integers in [0, 5) for 5 columns of pred_probs',
  }, '1.5');
  expectInputError(t, () => toLabels([NaN], 5), { field: 'labels', row: 0, message: /labels\[0\] = NaN is out of range/ }, 'NaN');
  expectInputError(t, () => toLabels([Infinity], 5), { field: 'labels', row: 0, message: /= Infinity is out of range/ }, 'inf');
  expectInputError(t, () => toLabels([0, 2 ** 40], 5), { field: 'labels', row: 1, message: /= 1099511627776 is out of range/ }, '2^40');
  expectInputError(t, () => toLabels([0, true] as unknown as number[], 5), {
    field: 'labels',
    row: 1,
    message: 'labels[1] is true, expected an integer class index in [0, 5)',
  }, 'boolean');
  expectInputError(t, () => toLabels([0, 'cat'] as unknown as number[], 5), {
    field: 'labels',
    row: 1,
    message: 'labels[1] is "cat", expected an integer class index in [0, 5); labels are class indices (use class_names for names)',
  }, 'string');
  expectInputError(t, () => toLabels(new BigInt64Array([0n, 5n]), 5), { field: 'labels', row: 1, message: /= 5 is out of range/ }, 'bigint');
  expectInputError(t, () => toLabels(new BigUint64Array([2n ** 63n]), 5), {
    field: 'labels',
    row: 0,
    message: /= 9223372036854775808 is out of range/,
  }, 'biguint');
  expectInputError(t, () => toLabels([], 5), { field: 'labels', message: 'labels is empty: it needs one label per example (N >= 1)' });
  expectInputError(t, () => toLabels([0, 1], 5, 'labels', 3), {
    field: 'labels',
    message: 'labels has 2 values but pred_probs has 3 rows; they must have the same length N',
  }, 'n');
  expectInputError(t, () => toLabels([0, 9], 5, 'models.b.predictions'), {
    field: 'models.b.predictions',
    row: 1,
    message: /^models\.b\.predictions\[1\] = 9 is out of range: models\.b\.predictions must be integers in \[0, 5\)/,
    path: 'models.b.predictions[1]',
  }, 'custom field');
  t.same(Array.from(toLabels(new Uint8Array([4, 0, 1]), 5)), [4, 0, 1], 'Uint8Array');
  t.same(Array.from(toLabels(new BigInt64Array([4n, 0n]), 5)), [4, 0], 'BigInt64Array');
  t.same(Array.from(toLabels(Float64Array.from([2, 3]), 5)), [2, 3], 'Float64Array');
  t.same(Array.from(toLabels([-0, 1], 2)), [0, 1], '-0 is label 0');
});

t.test('labels and pred_probs have the same N; class_names has length K', async (t) => {
  const predProbs = pm([[0.5, 0.5], [0.1, 0.9], [1, 0]]);
  expectInputError(t, () => validateClassificationInput({ labels: [0, 1], predProbs }), {
    field: 'labels',
    message: 'labels has 2 values but pred_probs has 3 rows; they must have the same length N',
  }, 'N');
  expectInputError(t, () => validateClassificationInput({ labels: [0, 1, 1], predProbs, classNames: ['a'] }), {
    field: 'class_names',
    message: 'class_names has 1 name but pred_probs has 2 columns; give one name per class',
  }, 'names length');
  expectInputError(t, () => validateClassificationInput({ labels: [0, 1, 1], predProbs, classNames: ['a', 3] }), {
    field: 'class_names',
    row: 1,
    message: 'class_names[1] is 3, expected a string',
  }, 'names type');
  expectInputError(t, () => validateClassNames('a,b', 2), {
    field: 'class_names',
    message: 'class_names must be an array of 2 strings (one name per class); got "a,b"',
  }, 'names not array');
  t.equal(validateClassNames(null, 2), undefined, 'null class_names = absent');
  // Order: labels length, then class names, then label values, then pred_probs values.
  expectInputError(t, () =>
    validateClassificationInput({ labels: [0, 9, 1], predProbs: pm([[0.5, 0.5], [NaN, 1], [1, 0]]), classNames: ['a', 'b'] }),
  { field: 'labels', row: 1, message: /labels\[1\] = 9/ }, 'label error before value error');
  expectInputError(t, () =>
    validateClassificationInput({ labels: [0, 1, 1], predProbs: pm([[0.5, 0.5], [NaN, 1], [1, 0]]) }),
  { field: 'pred_probs', row: 1, column: 0, message: /NaN/ }, 'value error');
  expectInputError(t, () =>
    validateClassificationInput(
      { labels: [0, 1, 7], predProbs },
      { labels: 'models.m.labels', predProbs: 'models.m.pred_probs' },
    ),
  { field: 'models.m.labels', row: 2, message: /^models\.m\.labels\[2\] = 7 is out of range/ }, 'field names');
});

t.test('formatNumber', async (t) => {
  t.equal(formatNumber(0.93), '0.93');
  t.equal(formatNumber(Math.fround(0.1)), '0.1');
  t.equal(formatNumber(7), '7');
  t.equal(formatNumber(2 ** 40), '1099511627776');
  t.equal(formatNumber(-Infinity), '-Infinity');
  t.equal(formatNumber(1e-300), '1e-300');
});
