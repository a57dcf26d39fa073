import t from 'tap';
import {
  Data,
  Field,
  FixedSizeList,
  Float16,
  Float32,
  Float64,
  Int32,
  Int64,
  LargeList,
  List,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { decodeArrowClassification, decodeArrowTable, encodeArrowClassification, type ArrowLabelType } from '../../src/io/arrow.js';
import { ingestArrow } from '../../src/io/ingest.js';
import { toLabels } from '../../src/io/validate.js';
import { numberToFloat16Bits } from '../../src/io/float16.js';
import { expectInputError, randomClassification } from './helpers.js';

function labelNumbers(l: ArrayLike<number> | BigInt64Array | BigUint64Array): number[] {
  return Array.from(l as ArrayLike<number | bigint>, Number);
}

/** One record batch from column Data (all columns the same length). */
function batchOf(schema: Schema, children: Data[]): RecordBatch {
  const length = children[0]!.length;
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

/** Validity bitmap with the given rows null. */
function bitmap(length: number, nullRows: number[]): Uint8Array {
  const b = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
  for (const r of nullRows) b[r >> 3]! &= ~(1 << (r & 7));
  return b;
}

function fslData(values: Float32Array | Float64Array, k: number, opts: { nullRows?: number[]; childNulls?: number[] } = {}): Data {
  const floatType = values instanceof Float64Array ? new Float64() : new Float32();
  const len = values.length / k;
  const childProps = opts.childNulls
    ? { nullBitmap: bitmap(values.length, opts.childNulls), nullCount: opts.childNulls.length }
    : { nullCount: 0 };
  const child = makeData({ type: floatType, length: values.length, data: values as never, ...childProps });
  const type = new FixedSizeList(k, new Field('item', floatType, !!opts.childNulls));
  const props = opts.nullRows ? { nullBitmap: bitmap(len, opts.nullRows), nullCount: opts.nullRows.length } : { nullCount: 0 };
  return makeData({ type, length: len, child, ...props });
}

t.test('round trip: single batch, float32 and float64, every label type', async (t) => {
  const { pp, labels } = randomClassification(300, 5, 11);
  const types: ArrowLabelType[] = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'];
  for (const labelType of types) {
    for (const floatType of ['float32', 'float64'] as const) {
      const data = floatType === 'float64' ? pp : Float32Array.from(pp);
      const bytes = encodeArrowClassification(labels, { data, n: 300, k: 5 }, { labelType });
      const out = decodeArrowClassification(bytes);
      t.same(labelNumbers(out.labels), Array.from(labels), `${labelType}/${floatType}: labels`);
      t.equal(out.predProbs.data.constructor, floatType === 'float64' ? Float64Array : Float32Array, `${labelType}/${floatType}: type`);
      t.same([out.predProbs.n, out.predProbs.k], [300, 5]);
      t.same(Array.from(out.predProbs.data), Array.from(data), `${labelType}/${floatType}: values exact`);
    }
  }
  // One batch without nulls is decoded without copying.
  const bytes = encodeArrowClassification(labels, { data: pp, n: 300, k: 5 }, { labelType: 'int32' });
  const out = decodeArrowClassification(bytes);
  t.equal(out.predProbs.data.buffer, bytes.buffer, 'pred_probs is a view of the stream bytes');
  t.equal((out.labels as Int32Array).buffer, bytes.buffer, 'labels is a view of the stream bytes');
  // The Arrow file format is read too.
  const file = encodeArrowClassification(labels, { data: pp, n: 300, k: 5 }, { format: 'file' });
  t.same(Array.from(decodeArrowClassification(file).predProbs.data), Array.from(pp), 'Arrow file format');
});

t.test('multiple record batches are concatenated', async (t) => {
  const { pp, labels } = randomClassification(1001, 3, 5);
  for (const floatType of ['float32', 'float64'] as const) {
    const data = floatType === 'float64' ? pp : Float32Array.from(pp);
    const bytes = encodeArrowClassification(labels, { data, n: 1001, k: 3 }, { batchSize: 128 });
    t.equal(tableFromIPC(bytes).batches.length, 8, 'eight batches written');
    const out = ingestArrow(bytes, { classNames: ['x', 'y', 'z'] });
    t.same(Array.from(out.labels), Array.from(labels), `${floatType}: labels`);
    t.same(Array.from(out.predProbs.data), Array.from(data), `${floatType}: values`);
    t.equal(out.predProbs.data.constructor, data.constructor, `${floatType}: keeps the float width`);
    t.same(out.classNames, ['x', 'y', 'z']);
  }
});

t.test('empty stream → N = 0 is rejected by validation', async (t) => {
  const bytes = encodeArrowClassification([], { data: new Float32Array(0), n: 0, k: 3 });
  const raw = decodeArrowClassification(bytes);
  t.equal(raw.predProbs.n, 0);
  expectInputError(t, () => ingestArrow(bytes), { field: 'pred_probs', message: /is empty/ });
});

t.test('in-memory tables: sliced data (offsets) and padded child buffers', async (t) => {
  const k = 2;
  const vals = Float64Array.from([0.5, 0.5, 0.1, 0.9, 0.3, 0.7, 1, 0, 0.25, 0.75, 0.6, 0.4]);
  // Padded: the child buffer holds 4 extra values beyond length.
  const padded = new Float64Array(vals.length + 4).fill(9);
  padded.set(vals);
  const child = makeData({ type: new Float64(), length: vals.length, nullCount: 0, data: padded });
  const list = makeData({ type: new FixedSizeList(k, new Field('item', new Float64(), false)), length: 6, nullCount: 0, child });
  const lab = makeData({ type: new Int32(), length: 6, nullCount: 0, data: new Int32Array([0, 1, 1, 0, 1, 0, 7, 7]) });
  const schema = new Schema([new Field('labels', new Int32()), new Field('pred_probs', list.type)]);
  const table = new Table(schema, [batchOf(schema, [lab, list])]);
  const out = decodeArrowTable(table);
  t.equal(out.predProbs.data.length, 12, 'only length × K values taken from a padded buffer');
  t.same(Array.from(out.predProbs.data), Array.from(vals));
  t.same(labelNumbers(out.labels), [0, 1, 1, 0, 1, 0], 'padded label buffer trimmed');

  // Slices: Data offsets > 0; values and nulls must line up with the slice.
  const sliced = decodeArrowTable(table.slice(2, 5));
  t.same(labelNumbers(sliced.labels), [1, 0, 1]);
  t.same(Array.from(sliced.predProbs.data), [0.3, 0.7, 1, 0, 0.25, 0.75]);

  // A null label at original row 4 is reported at row 2 of the slice; one at row 1 is outside it.
  const labN = makeData({
    type: new Int32(),
    length: 6,
    nullCount: 2,
    nullBitmap: bitmap(6, [1, 4]),
    data: new Int32Array([0, 1, 1, 0, 1, 0]),
  });
  const tN = new Table(schema, [batchOf(schema, [labN, list])]);
  expectInputError(t, () => decodeArrowTable(tN.slice(2, 5)), { field: 'labels', row: 2, message: 'labels[2] is null; every example needs a label' });
  t.same(labelNumbers(decodeArrowTable(tN.slice(2, 4)).labels), [1, 0], 'no null inside the slice');

  // Null probability in a sliced FixedSizeList child.
  const listN = fslData(vals, k, { childNulls: [9] }); // row 4, column 1
  const schemaN = new Schema([new Field('labels', new Int32()), new Field('pred_probs', listN.type)]);
  const tC = new Table(schemaN, [batchOf(schemaN, [lab, listN])]);
  expectInputError(t, () => decodeArrowTable(tC.slice(3)), {
    field: 'pred_probs',
    row: 1,
    column: 1,
    message: 'pred_probs[1][1] is null, expected a number',
  }, 'child null in slice');
});

t.test('nulls are rejected with the global row', async (t) => {
  const k = 3;
  const b1 = Float32Array.from({ length: 4 * k }, () => 1 / 3);
  const b2 = Float32Array.from({ length: 5 * k }, () => 1 / 3);
  const mkSchema = (d: Data) => new Schema([new Field('labels', new Int64(), true), new Field('pred_probs', d.type, true)]);
  const lab = (len: number, nullRows?: number[]) =>
    makeData({
      type: new Int64(),
      length: len,
      data: new BigInt64Array(len),
      ...(nullRows ? { nullBitmap: bitmap(len, nullRows), nullCount: nullRows.length } : { nullCount: 0 }),
    });
  // Null label in the second batch, row 2 → global row 6.
  {
    const p1 = fslData(b1, k);
    const p2 = fslData(b2, k);
    const schema = mkSchema(p1);
    const bytes = tableToIPC(new Table(schema, [batchOf(schema, [lab(4), p1]), batchOf(schema, [lab(5, [2]), p2])]), 'stream');
    expectInputError(t, () => decodeArrowClassification(bytes), {
      field: 'labels',
      row: 6,
      message: 'labels[6] is null; every example needs a label',
    }, 'null label');
  }
  // Null list row in the second batch.
  {
    const p1 = fslData(b1, k);
    const p2 = fslData(b2, k, { nullRows: [3] });
    const schema = mkSchema(p1);
    const bytes = tableToIPC(new Table(schema, [batchOf(schema, [lab(4), p1]), batchOf(schema, [lab(5), p2])]), 'stream');
    expectInputError(t, () => decodeArrowClassification(bytes), {
      field: 'pred_probs',
      row: 7,
      message: 'pred_probs row 7 is null; every example needs K probabilities',
    }, 'null row');
  }
  // Null value inside a row.
  {
    const p1 = fslData(b1, k, { childNulls: [5] });
    const schema = mkSchema(p1);
    const bytes = tableToIPC(new Table(schema, [batchOf(schema, [lab(4), p1])]), 'stream');
    expectInputError(t, () => decodeArrowClassification(bytes), {
      field: 'pred_probs',
      row: 1,
      column: 2,
      message: 'pred_probs[1][2] is null, expected a number',
    }, 'null value');
  }
});

t.test('variable-length List<float> (pyarrow default for lists of lists)', async (t) => {
  const rows = [
    [0.5, 0.5],
    [0.2, 0.8],
    [1, 0],
  ];
  for (const ListType of [List, LargeList]) {
    const pp = vectorFromArray(rows, new ListType(new Field('item', new Float64(), true)));
    const table = new Table({ labels: vectorFromArray([0, 1, 1], new Int32()), pred_probs: pp });
    const out = ingestArrow(tableToIPC(table, 'stream'));
    t.same(Array.from(out.predProbs.data), rows.flat(), `${ListType.name}: values`);
    t.same([out.predProbs.n, out.predProbs.k], [3, 2]);
    t.same(Array.from(decodeArrowTable(table.slice(1)).predProbs.data), rows.slice(1).flat(), `${ListType.name}: sliced`);
  }
  const ragged = new Table({
    labels: vectorFromArray([0, 1, 1], new Int32()),
    pred_probs: vectorFromArray([[0.5, 0.5], [0.2, 0.8], [0.2, 0.3, 0.5]], new List(new Field('item', new Float64(), true))),
  });
  expectInputError(t, () => decodeArrowClassification(tableToIPC(ragged, 'stream')), {
    field: 'pred_probs',
    row: 2,
    message: 'pred_probs row 2 has 3 values; expected 2 (the length of row 0)',
  }, 'ragged');
  const nullInner = new Table({
    labels: vectorFromArray([0, 1], new Int32()),
    pred_probs: vectorFromArray([[0.5, 0.5], [null, 1]], new List(new Field('item', new Float64(), true))),
  });
  expectInputError(t, () => decodeArrowClassification(tableToIPC(nullInner, 'stream')), {
    field: 'pred_probs',
    row: 1,
    column: 0,
    message: 'pred_probs[1][0] is null, expected a number',
  }, 'null inside list');
});

t.test('float16 probabilities', async (t) => {
  const halves = [0.5, 0.5, 0.25, 0.75].map(numberToFloat16Bits);
  const child = makeData({ type: new Float16(), length: 4, nullCount: 0, data: Uint16Array.from(halves) });
  const list = makeData({ type: new FixedSizeList(2, new Field('item', new Float16(), false)), length: 2, nullCount: 0, child });
  const lab = makeData({ type: new Int32(), length: 2, nullCount: 0, data: new Int32Array([1, 0]) });
  const schema = new Schema([new Field('labels', new Int32()), new Field('pred_probs', list.type)]);
  const out = ingestArrow(tableToIPC(new Table(schema, [batchOf(schema, [lab, list])]), 'stream'));
  t.ok(out.predProbs.data instanceof Float32Array);
  t.same(Array.from(out.predProbs.data), [0.5, 0.5, 0.25, 0.75]);
});

t.test('wrong columns and bad input', async (t) => {
  const pp = vectorFromArray([[0.5, 0.5]], new List(new Field('item', new Float64(), true)));
  expectInputError(t, () => decodeArrowClassification(tableToIPC(new Table({ label: vectorFromArray([0], new Int32()), pred_probs: pp }))), {
    field: 'labels',
    message: 'the Arrow stream has no column "labels" (columns present: "label", "pred_probs")',
  }, 'missing labels');
  expectInputError(t, () => decodeArrowClassification(tableToIPC(new Table({ labels: vectorFromArray([0], new Int32()) }))), {
    field: 'pred_probs',
    message: 'the Arrow stream has no column "pred_probs" (columns present: "labels")',
  }, 'missing pred_probs');
  expectInputError(t, () => decodeArrowClassification(tableToIPC(new Table({ labels: vectorFromArray(['cat'], new Utf8()), pred_probs: pp }))), {
    field: 'labels',
    message: 'column "labels" has Arrow type Utf8; expected an integer column of class indices',
  }, 'string labels');
  expectInputError(t, () =>
    decodeArrowClassification(tableToIPC(new Table({ labels: vectorFromArray([0], new Int32()), pred_probs: vectorFromArray([0.5], new Float64()) }))),
  {
    field: 'pred_probs',
    message: /^column "pred_probs" has Arrow type Float64; expected FixedSizeList<Float32 or Float64>/,
  }, 'scalar pred_probs');
  const intList = vectorFromArray([[0, 1]], new List(new Field('item', new Int32(), true)));
  expectInputError(t, () => decodeArrowClassification(tableToIPC(new Table({ labels: vectorFromArray([0], new Int32()), pred_probs: intList }))), {
    field: 'pred_probs',
    message: /^column "pred_probs" has Arrow type List<Int32>; expected FixedSizeList/,
  }, 'int list');
  expectInputError(t, () => decodeArrowClassification(new TextEncoder().encode('{"labels": [0]}')), {
    field: 'body',
    message: /^the request body is not a readable Arrow IPC stream/,
  }, 'json bytes');
  for (const junk of [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(64).fill(0xff)]) {
    expectInputError(t, () => decodeArrowClassification(junk), {
      field: 'body',
      message: /^the request body is not a readable Arrow IPC stream/,
    }, `junk ${junk.length} bytes`);
  }
  const good = encodeArrowClassification([0, 1], { data: new Float32Array([0.5, 0.5, 0.5, 0.5]), n: 2, k: 2 });
  expectInputError(t, () => decodeArrowClassification(good.subarray(0, good.length - 40)), {
    field: 'body',
    message: /not a readable Arrow IPC stream/,
  }, 'truncated stream');
  // Value checks happen in validation with the right field and row.
  const bad = encodeArrowClassification([0, 1, 2], { data: new Float64Array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]), n: 3, k: 2 });
  expectInputError(t, () => ingestArrow(bad), {
    field: 'labels',
    row: 2,
    message: 'labels[2] = 2 is out of range: labels must be integers in [0, 2) for 2 columns of pred_probs',
  }, 'label range');
  const big = encodeArrowClassification(new BigInt64Array([0n, 2n ** 40n]), { data: new Float64Array([0.5, 0.5, 0.5, 0.5]), n: 2, k: 2 });
  expectInputError(t, () => toLabels(decodeArrowClassification(big).labels, 2), {
    field: 'labels',
    row: 1,
    message: /^labels\[1\] = 1099511627776 is out of range/,
  }, 'int64 2^40');
  const sums = encodeArrowClassification([0, 1], { data: new Float64Array([0.5, 0.5, 0.5, 0.6]), n: 2, k: 2 });
  expectInputError(t, () => ingestArrow(sums), {
    field: 'pred_probs',
    row: 1,
    message: 'pred_probs row 1 sums to 1.1; rows must sum to 1 within 1e-3',
  }, 'row sum');
  // Custom column names.
  const renamed = encodeArrowClassification([1], { data: new Float64Array([0.5, 0.5]), n: 1, k: 2 }, { columns: { labels: 'y', predProbs: 'p' } });
  t.same(Array.from(ingestArrow(renamed, { columns: { labels: 'y', predProbs: 'p' } }).labels), [1], 'custom column names');
});
