import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  decodeNpyData,
  npyDataOffset,
  npyToLabelValues,
  npyToProbMatrix,
  parseNpy,
  readNpyHeader,
  writeNpy,
  NPY_PREAMBLE_BYTES,
} from '../../src/io/npy.js';
import { float16ToFloat32, numberToFloat16Bits } from '../../src/io/float16.js';
import { toLabels } from '../../src/io/validate.js';
import { ingestNpy } from '../../src/io/ingest.js';
import { expectInputError } from './helpers.js';
import { fixturePath, loadFixture } from '../helpers/fixtures.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath('npy', name)));
const expected = loadFixture<{ pred_probs: number[][]; labels: number[]; pred_probs_f32: number[][]; pred_probs_f16: number[][] }>(
  'npy',
  'expected',
);

/** Hand-build a .npy file from header text and data bytes (no padding rules applied). */
function rawNpy(header: string, data: Uint8Array = new Uint8Array(0), version = 1): Uint8Array {
  const text = new TextEncoder().encode(header);
  const pre = version === 1 ? 10 : 12;
  const out = new Uint8Array(pre + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, text.length, true);
  else dv.setUint32(8, text.length, true);
  out.set(text, pre);
  out.set(data, pre + text.length);
  return out;
}

const CTORS: Record<string, unknown> = {
  f2: Float32Array,
  f4: Float32Array,
  f8: Float64Array,
  i1: Int8Array,
  i2: Int16Array,
  i4: Int32Array,
  i8: BigInt64Array,
  u1: Uint8Array,
  u2: Uint16Array,
  u4: Uint32Array,
  u8: BigUint64Array,
  b1: Uint8Array,
};

function sampleValues(code: string): number[] {
  switch (code) {
    case 'f2': // exactly representable halves, incl. subnormal, max, negative zero, inf
      return [0, -0, 1, -2.5, 0.0999755859375, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity, 1 / 1024, 0.5];
    case 'f4':
      return [0, -0, 1, -2.5, Math.fround(0.1), 3.4028234663852886e38, 2 ** -149, Infinity, -Infinity, 0.5, 7, 1e-3].map(
        Math.fround,
      );
    case 'f8':
      return [0, -0, 1, -2.5, 0.1, Number.MAX_VALUE, 5e-324, Infinity, -Infinity, 1 / 3, 7, 1e-300];
    case 'i1':
      return [0, 1, -1, 127, -128, 5, 6, 7, 8, 9, 10, 11];
    case 'i2':
      return [0, 1, -1, 32767, -32768, 5, 6, 7, 8, 9, 10, 11];
    case 'i4':
      return [0, 1, -1, 2147483647, -2147483648, 5, 6, 7, 8, 9, 10, 11];
    case 'i8':
      return [0, 1, -1, 2 ** 53, -(2 ** 53), 5, 6, 7, 8, 9, 10, 11];
    case 'u1':
      return [0, 1, 255, 128, 4, 5, 6, 7, 8, 9, 10, 11];
    case 'u2':
      return [0, 1, 65535, 32768, 4, 5, 6, 7, 8, 9, 10, 11];
    case 'u4':
      return [0, 1, 4294967295, 2147483648, 4, 5, 6, 7, 8, 9, 10, 11];
    case 'u8':
      return [0, 1, 2 ** 53, 2 ** 63, 4, 5, 6, 7, 8, 9, 10, 11];
    case 'b1':
      return [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1];
  }
  throw new Error(code);
}

t.test('round trip: every dtype, both byte orders, versions 1/2/3', async (t) => {
  for (const code of Object.keys(CTORS)) {
    const orders = code.endsWith('1') ? ['|', '<', '>'] : ['<', '>'];
    for (const order of orders) {
      for (const version of [1, 2, 3] as const) {
        const dtype = order + code;
        const values = sampleValues(code);
        const bytes = writeNpy(values, dtype, [3, 4], { version });
        t.equal(bytes[6], version, `${dtype} v${version}: version byte`);
        t.equal(npyDataOffset(bytes) % 64, 0, `${dtype} v${version}: data offset padded to 64`);
        const arr = parseNpy(bytes, 'x');
        t.equal(arr.dtype, dtype, `${dtype} v${version}: dtype`);
        t.same(arr.shape, [3, 4], `${dtype} v${version}: shape`);
        t.equal(arr.data.constructor, CTORS[code], `${dtype} v${version}: array type`);
        const got = Array.from(arr.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
        let same = got.length === values.length;
        for (let i = 0; same && i < got.length; i++) same = Object.is(got[i], values[i]);
        t.ok(same, `${dtype} v${version}: values round-trip (${got.slice(0, 6).join(',')}…)`);
      }
    }
  }
});

t.test('int64 / uint64 round trip exactly as bigints', async (t) => {
  const big = [2n ** 62n + 1n, -(2n ** 63n), 9007199254740993n];
  for (const dtype of ['<i8', '>i8']) {
    const arr = parseNpy(writeNpy(big, dtype, [3]), 'labels');
    t.same(Array.from(arr.data as BigInt64Array), big, `${dtype}`);
  }
  const ubig = [2n ** 64n - 1n, 0n];
  t.same(Array.from(parseNpy(writeNpy(ubig, '>u8', [2]), 'labels').data as BigUint64Array), ubig, '>u8');
});

t.test('zero-copy view when aligned little-endian; copies otherwise', async (t) => {
  const values = [0.25, 0.75, 0.5, 0.5];
  const le = writeNpy(values, '<f4', [2, 2]);
  const a = parseNpy(le, 'pred_probs');
  t.equal(a.data.buffer, le.buffer, 'aligned <f4 is a view of the input');
  t.equal(a.data.byteOffset, npyDataOffset(le), 'view starts at the data offset');
  le[npyDataOffset(le)] ^= 1; // mutating the input shows through the view
  t.not(a.data[0], 0.25, 'it really is a view');

  const be = writeNpy(values, '>f4', [2, 2]);
  const b = parseNpy(be, 'pred_probs');
  t.not(b.data.buffer, be.buffer, 'big-endian data is copied');
  t.same(Array.from(b.data as Float32Array), values, 'big-endian values');
  t.same(Array.from(be.subarray(npyDataOffset(be), npyDataOffset(be) + 4)), [0x3e, 0x80, 0, 0], 'bytes stay big-endian');
});

t.test('misaligned data offsets are copied, not viewed', async (t) => {
  const values = [0.125, 0.875, 1 / 3, 2 / 3, 0.5, 0.5];
  // align: 1 → no padding; the data offset is 10 + header text length (odd here).
  for (const dtype of ['<f8', '<f4', '<i8', '<u2', '>f8', '<f2']) {
    const bytes = writeNpy(values.map((v, i) => (dtype.includes('f') ? v : i)), dtype, [3, 2], { align: 1 });
    const off = npyDataOffset(bytes);
    t.not(off % 8, 0, `${dtype}: offset ${off} is not a multiple of 8`);
    const arr = parseNpy(bytes, 'x');
    const want = dtype.includes('f')
      ? Array.from(dtype.includes('f2') ? float16ToFloat32(values.map(numberToFloat16Bits)) : dtype.includes('f4') ? Float32Array.from(values) : values)
      : [0, 1, 2, 3, 4, 5];
    t.same(Array.from(arr.data as ArrayLike<number | bigint>, Number), want, `${dtype}: values`);
  }
  // Aligned header but the file sits at an odd offset inside a bigger buffer (a Node Buffer slice).
  const inner = writeNpy(values, '<f8', [3, 2]);
  const host = Buffer.alloc(inner.length + 3);
  host.set(inner, 3);
  const view = host.subarray(3);
  t.not((view.byteOffset + npyDataOffset(view)) % 8, 0, 'absolute data offset is misaligned');
  const arr = parseNpy(view, 'pred_probs');
  t.same(Array.from(arr.data as Float64Array), values, 'values read from an odd offset');
  t.not(arr.data.buffer, host.buffer, 'copied out of the host buffer');
  host[3 + npyDataOffset(inner)] ^= 0xff;
  t.equal(arr.data[0], 0.125, 'the copy does not alias the Node Buffer');
});

t.test('float16: subnormals, infinities, NaN, signed zero and rounding as NumPy does', async (t) => {
  const arr = parseNpy(
    writeNpy([2 ** -24, 1023 * 2 ** -24, 2 ** -14, 65504, Infinity, -Infinity, NaN, -0, -(2 ** -24), 1 / 3], '<f2', [10]),
    'x',
  );
  const d = arr.data as Float32Array;
  t.equal(d[0], 5.960464477539063e-8, 'smallest subnormal');
  t.equal(d[1], 6.097555160522461e-5, 'largest subnormal');
  t.equal(d[2], 6.103515625e-5, 'smallest normal');
  t.equal(d[3], 65504, 'largest finite');
  t.equal(d[4], Infinity);
  t.equal(d[5], -Infinity);
  t.ok(Number.isNaN(d[6]), 'NaN');
  t.ok(Object.is(d[7], -0), 'negative zero');
  t.equal(d[8], -5.960464477539063e-8, 'negative subnormal');
  t.equal(d[9], 0.333251953125, '1/3 rounds to the nearest half');

  // Against NumPy: the same float64 source, rounded by NumPy (x.astype('<f2')) and by writeNpy.
  const src = parseNpy(fixture('f16_source_f64.npy'), 'src').data as Float64Array;
  const numpyBytes = fixture('f16_numpy.npy');
  const ours = writeNpy(src, '<f2', [src.length]);
  t.equal(ours.length, numpyBytes.length, 'same file length as NumPy');
  const off = npyDataOffset(numpyBytes);
  let mismatches = 0;
  for (let i = off; i < numpyBytes.length; i++) if (ours[i] !== numpyBytes[i]) mismatches++;
  t.equal(mismatches, 0, `writeNpy rounds ${src.length} float64 values to float16 bit-identically to NumPy`);
  const decoded = parseNpy(numpyBytes, 'x').data as Float32Array;
  t.equal(decoded[7], Infinity, '65520 rounds up to inf (NumPy file)');
  t.equal(decoded[6], 65504, '65519 rounds down to 65504 (NumPy file)');
});

t.test('files written by NumPy', async (t) => {
  const f32 = parseNpy(fixture('pred_probs_f32.npy'), 'pred_probs');
  t.equal(f32.dtype, '<f4');
  t.same(Array.from(f32.data as Float32Array), expected.pred_probs_f32.flat(), 'np.save float32');
  const be = parseNpy(fixture('pred_probs_f64_be_v2.npy'), 'pred_probs');
  t.equal(be.dtype, '>f8');
  t.equal(readNpyHeader(fixture('pred_probs_f64_be_v2.npy')).version, 2, 'version 2.0');
  t.same(Array.from(be.data as Float64Array), expected.pred_probs.flat(), 'big-endian float64 v2 exact');
  const f16 = parseNpy(fixture('pred_probs_f16_v3.npy'), 'pred_probs');
  t.equal(readNpyHeader(fixture('pred_probs_f16_v3.npy')).version, 3, 'version 3.0');
  t.same(Array.from(f16.data as Float32Array), expected.pred_probs_f16.flat(), 'float16 v3');
  t.same(npyToProbMatrix(f16).k, 4);
  for (const name of ['labels_i8.npy', 'labels_u1.npy', 'labels_i2_be.npy']) {
    const arr = parseNpy(fixture(name), 'labels');
    t.same(Array.from(toLabels(npyToLabelValues(arr), 4)), expected.labels, name);
  }
  const ing = ingestNpy({ predProbs: fixture('pred_probs_f32.npy'), labels: fixture('labels_i8.npy') });
  t.equal(ing.predProbs.n, 6);
  t.same(Array.from(ing.labels), expected.labels, 'ingestNpy on NumPy files');
});

t.test('Fortran order is rejected with a clear message', async (t) => {
  expectInputError(t, () => parseNpy(fixture('pred_probs_fortran.npy'), 'pred_probs'), {
    field: 'pred_probs',
    message: 'pred_probs.npy is Fortran-ordered (fortran_order: True); save it with np.ascontiguousarray (C order)',
  }, 'NumPy fortran file');
  expectInputError(t, () => parseNpy(writeNpy([1, 2, 3, 4], '<f8', [2, 2], { fortranOrder: true }), 'pred_probs'), {
    field: 'pred_probs',
    message: /Fortran-ordered/,
  }, 'writeNpy fortran');
  // Same memory layout as C order: accepted.
  t.same(Array.from(parseNpy(writeNpy([1, 2, 3], '<i4', [3], { fortranOrder: true }), 'l').data as Int32Array), [1, 2, 3], '1-D');
  t.same(parseNpy(writeNpy([1, 2, 3], '<f4', [3, 1], { fortranOrder: true }), 'l').shape, [3, 1], '(N, 1)');
});

t.test('truncated files', async (t) => {
  const full = writeNpy(new Float32Array(40), '<f4', [10, 4]);
  expectInputError(t, () => parseNpy(full.subarray(0, full.length - 1), 'pred_probs'), {
    field: 'pred_probs',
    message:
      'pred_probs.npy is truncated: its header declares shape (10, 4) of float32 (160 bytes of data) but only 159 bytes follow the header',
  }, 'data cut');
  expectInputError(t, () => parseNpy(full.subarray(0, 40), 'pred_probs'), {
    field: 'pred_probs',
    message: `pred_probs.npy is truncated: its header is ${npyDataOffset(full)} bytes long but the file has only 40 bytes`,
  }, 'header cut');
  expectInputError(t, () => parseNpy(full.subarray(0, 9), 'labels'), {
    field: 'labels',
    message: 'labels.npy is truncated: it ends inside the format preamble',
  }, 'preamble cut');
  expectInputError(t, () => parseNpy(full.subarray(0, 3), 'labels'), {
    field: 'labels',
    message: 'labels.npy is truncated: it ends inside the magic bytes',
  }, 'magic cut');
  expectInputError(t, () => parseNpy(new Uint8Array(0), 'labels'), { field: 'labels', message: 'labels.npy is empty' });
  const extra = new Uint8Array(full.length + 8);
  extra.set(full);
  expectInputError(t, () => parseNpy(extra, 'pred_probs'), {
    field: 'pred_probs',
    message: /^pred_probs\.npy has 8 unexpected bytes after the array data \(shape \(10, 4\) of float32\)/,
  }, 'trailing bytes');
});

t.test('bad magic and unsupported versions', async (t) => {
  expectInputError(t, () => parseNpy(new TextEncoder().encode('{"labels": [1, 2]}'), 'labels'), {
    field: 'labels',
    message: /^labels\.npy is not a NumPy \.npy file: .*\(it looks like JSON text\)/,
  }, 'json');
  expectInputError(t, () => parseNpy(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]), 'pred_probs'), {
    field: 'pred_probs',
    message: /zip \/ \.npz archive/,
  }, 'npz');
  expectInputError(t, () => parseNpy(new Uint8Array(64).fill(7), 'pred_probs'), {
    field: 'pred_probs',
    message: /^pred_probs\.npy is not a NumPy \.npy file/,
  }, 'random');
  const v4 = writeNpy([1], '<f4', [1]);
  v4[6] = 4;
  expectInputError(t, () => parseNpy(v4, 'pred_probs'), {
    field: 'pred_probs',
    message: 'pred_probs.npy uses .npy format version 4.0; supported versions are 1.0, 2.0 and 3.0',
  });
  const v11 = writeNpy([1], '<f4', [1]);
  v11[7] = 1;
  expectInputError(t, () => parseNpy(v11, 'x'), { field: 'x', message: /version 1\.1/ });
});

t.test('malformed headers', async (t) => {
  const cases: [string, RegExp][] = [
    ["{'descr': '<f4', 'shape': (2,), }\n", /malformed header \(missing key 'fortran_order'\)/],
    ["{'fortran_order': False, 'shape': (2,), }\n", /missing key 'descr'/],
    ["['descr', '<f4']\n", /the header is not a dict literal/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk\n", /unexpected text after the dict/],
    ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }\n", /'fortran_order' must be True or False/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': [2], }\n", /'shape' must be a tuple/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }\n", /non-negative integers/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,), \n", /unterminated dict/],
    ["{'descr': '<f4, 'fortran_order': False}\n", /malformed header/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3.5), }\n", /malformed header/],
    ["", /the header is not a dict literal/],
  ];
  for (const [header, msg] of cases) {
    expectInputError(t, () => parseNpy(rawNpy(header, new Uint8Array(8)), 'pred_probs'), { field: 'pred_probs', message: msg }, header);
  }
  // Tolerated: double quotes, Python 2 longs, no trailing comma, odd spacing, version 2 header.
  const ok = parseNpy(rawNpy('{"descr":"<i2","shape":(2L,1L),"fortran_order":False}\n', new Uint8Array([1, 0, 2, 0]), 2), 'labels');
  t.same(ok.shape, [2, 1]);
  t.same(Array.from(ok.data as Int16Array), [1, 2]);
  const scalar = parseNpy(rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }\n", new Uint8Array(8)), 'x');
  t.same(scalar.shape, [], '0-d array parses');
  expectInputError(t, () => npyToProbMatrix(scalar, 'pred_probs'), {
    field: 'pred_probs',
    message: /must be a 2-D array of shape \(N, K\).*got shape \(\)/,
  });
  // Header text in UTF-8 (version 3) with a non-latin-1 character in an extra key.
  const utf = parseNpy(rawNpy("{'descr': '<u1', 'fortran_order': False, 'shape': (1,), 'note': 'π', }\n", new Uint8Array([9]), 3), 'x');
  t.same(Array.from(utf.data as Uint8Array), [9], 'utf-8 header');
});

t.test('unsupported dtypes', async (t) => {
  expectInputError(t, () => parseNpy(fixture('labels_obj.npy'), 'labels'), {
    field: 'labels',
    message: "labels.npy holds Python objects (dtype '|O'); expected a numeric array: float16/32/64 or an integer type",
  }, 'object');
  expectInputError(t, () => parseNpy(fixture('labels_str.npy'), 'labels'), {
    field: 'labels',
    message: /^labels\.npy holds strings \(dtype '<U1'\)/,
  }, 'unicode');
  expectInputError(t, () => parseNpy(fixture('structured.npy'), 'pred_probs'), {
    field: 'pred_probs',
    message: 'pred_probs.npy holds a structured array (dtype with named fields); expected a plain numeric array',
  }, 'structured');
  const mk = (descr: string) => rawNpy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }\n`, new Uint8Array(16));
  expectInputError(t, () => parseNpy(mk('<c16'), 'pred_probs'), { field: 'pred_probs', message: /complex numbers/ });
  expectInputError(t, () => parseNpy(mk('<f16'), 'pred_probs'), { field: 'pred_probs', message: /extended-precision/ });
  expectInputError(t, () => parseNpy(mk('<M8[ns]'), 'pred_probs'), { field: 'pred_probs', message: /not a plain numeric dtype/ });
  expectInputError(t, () => parseNpy(mk('<i3'), 'pred_probs'), { field: 'pred_probs', message: /unsupported dtype/ });
});

t.test('rank and dtype checks for pred_probs and labels', async (t) => {
  expectInputError(t, () => npyToProbMatrix(parseNpy(writeNpy([0.5, 0.5], '<f4', [2]), 'pred_probs')), {
    field: 'pred_probs',
    message:
      'pred_probs.npy must be a 2-D array of shape (N, K) (one row of K class probabilities per example); got shape (2,)',
  });
  expectInputError(t, () => npyToProbMatrix(parseNpy(writeNpy([0, 1, 1, 0], '<i8', [2, 2]), 'pred_probs')), {
    field: 'pred_probs',
    message: "pred_probs.npy has dtype int64 ('<i8'); pred_probs must be float16, float32 or float64",
  });
  expectInputError(t, () => npyToProbMatrix(parseNpy(writeNpy(new Float32Array(8), '<f4', [2, 2, 2]), 'pred_probs')), {
    field: 'pred_probs',
    message: /got shape \(2, 2, 2\)/,
  });
  expectInputError(t, () => npyToLabelValues(parseNpy(writeNpy([0, 1], '<i8', [2, 1]), 'labels')), {
    field: 'labels',
    message: 'labels.npy must be a 1-D array of N integer labels; got shape (2, 1) (use labels.ravel() before np.save)',
  });
  expectInputError(t, () => npyToLabelValues(parseNpy(writeNpy([1, 0], '|b1', [2]), 'labels')), {
    field: 'labels',
    message: 'labels.npy has dtype bool; labels must be integer class indices in [0, K)',
  });
  const pm = npyToProbMatrix(parseNpy(writeNpy([0.5, 0.5, 0.25, 0.75, 1, 0], '<f8', [3, 2]), 'pred_probs'));
  t.same([pm.n, pm.k], [3, 2]);
  t.ok(pm.data instanceof Float64Array);
  // Float labels with integer values are accepted (as JSON 1.0 is); 1.5 is not.
  t.same(Array.from(toLabels(npyToLabelValues(parseNpy(writeNpy([0, 1, 2], '<f8', [3]), 'labels')), 3)), [0, 1, 2]);
  expectInputError(t, () => toLabels(npyToLabelValues(parseNpy(writeNpy([0, 1.5], '<f4', [2]), 'labels')), 3), {
    field: 'labels',
    row: 1,
    message: 'labels[1] = 1.5 is not an integer: labels must be integers in [0, 3) for 3 columns of pred_probs',
  });
});

t.test('int64 labels out of range are reported, not wrapped', async (t) => {
  const pp = writeNpy([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], '<f4', [3, 2]);
  expectInputError(t, () => ingestNpy({ predProbs: pp, labels: writeNpy([0, 1, 2 ** 40], '<i8', [3]) }), {
    field: 'labels',
    row: 2,
    message: 'labels[2] = 1099511627776 is out of range: labels must be integers in [0, 2) for 2 columns of pred_probs',
  }, '2^40');
  // 2^32 would wrap to 0 in an Int32 conversion: must still be rejected.
  expectInputError(t, () => ingestNpy({ predProbs: pp, labels: writeNpy([0, 2 ** 32, 1], '>i8', [3]) }), {
    field: 'labels',
    row: 1,
    message: /^labels\[1\] = 4294967296 is out of range/,
  }, '2^32 big-endian');
  expectInputError(t, () => ingestNpy({ predProbs: pp, labels: writeNpy([0, -1, 1], '<i8', [3]) }), {
    field: 'labels',
    row: 1,
    message: /^labels\[1\] = -1 is out of range/,
  }, '-1');
  expectInputError(t, () => ingestNpy({ predProbs: pp, labels: writeNpy([2n ** 64n - 1n, 0n, 1n], '<u8', [3]) }), {
    field: 'labels',
    row: 0,
    message: /^labels\[0\] = 18446744073709551615 is out of range/,
  }, 'uint64 max');
  expectInputError(t, () => ingestNpy({ predProbs: pp, labels: writeNpy([0, 1, 4294967295], '<u4', [3]) }), {
    field: 'labels',
    row: 2,
    message: /^labels\[2\] = 4294967295 is out of range/,
  }, 'uint32 max');
  expectInputError(t, () => ingestNpy({ predProbs: pp, labels: writeNpy([0, 1], '<i8', [2]) }), {
    field: 'labels',
    message: 'labels has 2 values but pred_probs has 3 rows; they must have the same length N',
  }, 'N mismatch');
});

t.test('header reader + chunked data decoding (for streaming big files)', async (t) => {
  const n = 37;
  const k = 3;
  const values = Array.from({ length: n * k }, (_, i) => (i % 7) / 8);
  for (const dtype of ['<f4', '>f8', '<f2', '>i8']) {
    const file = writeNpy(dtype.includes('i') ? values.map((_, i) => i) : values, dtype, [n, k], { version: 2 });
    const offset = npyDataOffset(file.subarray(0, NPY_PREAMBLE_BYTES));
    const h = readNpyHeader(file.subarray(0, offset), 'pred_probs');
    t.same(h.shape, [n, k]);
    t.equal(h.headerLength, offset);
    t.equal(h.dataLength, file.length - offset);
    t.equal(h.littleEndian, dtype[0] === '<');
    t.equal(h.itemSize, Number(dtype.slice(2)));
    const whole = Array.from(parseNpy(file, 'pred_probs').data as ArrayLike<number | bigint>, Number);
    const got: number[] = [];
    const rowBytes = k * h.itemSize;
    for (let r = 0; r < n; r += 5) {
      const end = Math.min(n, r + 5);
      // Chunks come from a file read: copy to an odd offset to exercise realignment.
      const chunk = new Uint8Array((end - r) * rowBytes + 1).subarray(1);
      chunk.set(file.subarray(offset + r * rowBytes, offset + end * rowBytes));
      got.push(...Array.from(decodeNpyData(chunk, h, 'pred_probs') as ArrayLike<number | bigint>, Number));
    }
    t.same(got, whole, `${dtype}: chunks equal the whole`);
  }
  expectInputError(t, () => decodeNpyData(new Uint8Array(7), { kind: 'f', itemSize: 4, littleEndian: true }, 'pred_probs'), {
    field: 'pred_probs',
    message: /7 data bytes is not a whole number of 4-byte elements/,
  });
});

t.test('writeNpy rejects programmer errors', async (t) => {
  t.throws(() => writeNpy([1, 2, 3], '<f4', [2, 2]), RangeError);
  t.throws(() => writeNpy([1], '<c8', [1]), RangeError);
  t.equal(parseNpy(writeNpy([1, 2], 'f8', [2]), 'x').dtype, '<f8', 'descr without byte order means little endian');
  t.equal(parseNpy(writeNpy([1, 2], 'u1', [2]), 'x').dtype, '|u1');
});
