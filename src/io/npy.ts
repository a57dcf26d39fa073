/**
 * NumPy `.npy` reader and writer (format versions 1.0, 2.0 and 3.0).
 *
 * Layout of a file: the magic `\x93NUMPY`, a major and a minor version byte, the header
 * length (uint16 LE in v1, uint32 LE in v2/v3), the header text (a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (N, K), }` padded with spaces and
 * ended by a newline; latin-1 in v1/v2, UTF-8 in v3), then the raw array bytes.
 *
 * Reading returns typed arrays. Little-endian data whose offset is aligned to the item
 * size is returned as a zero-copy VIEW of the input buffer (the caller must not reuse the
 * buffer while the array is alive); misaligned or big-endian data is copied into a fresh
 * buffer first. float16 is widened to Float32Array (exactly). 64-bit integers are returned
 * as BigInt64Array / BigUint64Array so that nothing wraps: the label validator range-checks
 * them (a label 2^40 is reported as out of range, not silently truncated).
 *
 * Every malformed input throws InputError naming the field (`pred_probs.npy …`).
 */
import { InputError } from '../core/errors.js';
import type { ProbMatrix } from '../core/types.js';
import { float16Table, numberToFloat16Bits } from './float16.js';
import { checkMatrixSize } from './limits.js';

export type NpyKind = 'f' | 'i' | 'u' | 'b';

export type NpyData =
  | Float64Array
  | Float32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

export interface NpyHeader {
  /** Format major version: 1, 2 or 3. */
  version: 1 | 2 | 3;
  /** The `descr` as written in the file, e.g. `<f4`, `>i8`, `|u1`. */
  dtype: string;
  /** f = float, i = signed int, u = unsigned int, b = bool. */
  kind: NpyKind;
  /** Bytes per element in the file (2 for float16, even though it is read as float32). */
  itemSize: number;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Number of elements: the product of `shape`. */
  count: number;
  /** Bytes before the data: magic + version + length field + header text. Data starts here. */
  headerLength: number;
  /** Bytes of array data that must follow the header: `count * itemSize`. */
  dataLength: number;
}

export interface NpyArray {
  /** The `descr` as written in the file, e.g. `<f4`. */
  dtype: string;
  kind: NpyKind;
  shape: number[];
  /** Row-major (C order) elements. float16 is widened to Float32Array; bool is Uint8Array. */
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Bytes that always suffice to learn the header length (`npyDataOffset`). */
export const NPY_PREAMBLE_BYTES = 12;

/**
 * Largest header (preamble + dict text) accepted. NumPy's own `np.load` refuses headers
 * over 10,000 bytes by default (`max_header_size`); a plain numeric array's header is
 * under 200. The bound keeps a forged v2/v3 length field (up to 4 GiB) from sizing a
 * buffer or a file read before anything is validated.
 */
export const NPY_MAX_HEADER_BYTES = 1024 * 1024;

const DTYPE_NAMES: Record<string, string> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
};

/** Human name of a descr: `<f4` → `float32`. */
export function npyDtypeName(dtype: string): string {
  const core = /^[<>|=]/.test(dtype) ? dtype.slice(1) : dtype;
  return DTYPE_NAMES[core] ?? dtype;
}

function fileName(field: string): string {
  return `${field}.npy`;
}

function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

// ---------------------------------------------------------------------------------------
// Header parsing

/**
 * Total header length (offset of the data) from the first bytes of a file. Needs the
 * first 10 bytes for v1 and 12 for v2/v3 (`NPY_PREAMBLE_BYTES` always suffices).
 */
export function npyDataOffset(prefix: Uint8Array, field = 'array'): number {
  const name = fileName(field);
  checkMagic(prefix, field);
  if (prefix.length < 8) throw new InputError(field, `${name} is truncated: it ends inside the format preamble`);
  const major = prefix[6]!;
  const minor = prefix[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new InputError(
      field,
      `${name} uses .npy format version ${major}.${minor}; supported versions are 1.0, 2.0 and 3.0`,
    );
  }
  const need = major === 1 ? 10 : 12;
  if (prefix.length < need) throw new InputError(field, `${name} is truncated: it ends inside the format preamble`);
  const length =
    major === 1
      ? 10 + (prefix[8]! | (prefix[9]! << 8))
      : 12 + (prefix[8]! | (prefix[9]! << 8) | (prefix[10]! << 16)) + prefix[11]! * 2 ** 24;
  if (length > NPY_MAX_HEADER_BYTES) {
    throw new InputError(
      field,
      `${name} declares a ${fmtInt(length)}-byte header; the largest accepted is ${fmtInt(NPY_MAX_HEADER_BYTES)} bytes ` +
        '(a .npy of a plain numeric array has a header of about 128 bytes): the file is corrupt',
    );
  }
  return length;
}

function checkMagic(buf: Uint8Array, field: string): void {
  const name = fileName(field);
  const n = Math.min(buf.length, MAGIC.length);
  for (let i = 0; i < n; i++) {
    if (buf[i] !== MAGIC[i]) {
      const hint =
        buf[0] === 0x50 && buf[1] === 0x4b
          ? ' (it looks like a zip / .npz archive: send a single array written by np.save)'
          : buf[0] === 0x7b || buf[0] === 0x5b
            ? ' (it looks like JSON text)'
            : '';
      throw new InputError(
        field,
        `${name} is not a NumPy .npy file: it does not start with the magic bytes \\x93NUMPY${hint}; send the bytes written by np.save`,
      );
    }
  }
  if (buf.length < MAGIC.length) {
    throw new InputError(
      field,
      buf.length === 0 ? `${name} is empty` : `${name} is truncated: it ends inside the magic bytes`,
    );
  }
}

type PyValue = string | number | boolean | null | PyValue[] | { tuple: PyValue[] } | Map<string, PyValue>;

class PyLiteralParser {
  pos = 0;
  constructor(
    readonly s: string,
    readonly fail: (why: string) => never,
  ) {}

  ws(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  peek(): string {
    this.ws();
    return this.s[this.pos] ?? '';
  }

  expect(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected '${ch}' at character ${this.pos}`);
    this.pos++;
  }

  value(depth = 0): PyValue {
    if (depth > 8) this.fail('nesting too deep');
    const c = this.peek();
    if (c === "'" || c === '"') return this.str();
    if (c === '{') return this.dict(depth);
    if (c === '(' || c === '[') return this.seq(depth);
    const m = /^(-?\d+)L?|^(True|False|None)\b/.exec(this.s.slice(this.pos, this.pos + 40));
    if (!m) this.fail(`unexpected text at character ${this.pos}`);
    this.pos += m[0].length;
    if (m[1] !== undefined) return Number(m[1]);
    return m[2] === 'True' ? true : m[2] === 'False' ? false : null;
  }

  str(): string {
    const q = this.s[this.pos]!;
    this.pos++;
    let out = '';
    while (this.pos < this.s.length && this.s[this.pos] !== q) {
      let ch = this.s[this.pos]!;
      if (ch === '\\') {
        this.pos++;
        ch = this.s[this.pos] ?? '';
      }
      out += ch;
      this.pos++;
    }
    if (this.pos >= this.s.length) this.fail('unterminated string');
    this.pos++;
    return out;
  }

  seq(depth: number): PyValue {
    const open = this.s[this.pos]!;
    const close = open === '(' ? ')' : ']';
    this.pos++;
    const items: PyValue[] = [];
    let sawComma = false;
    while (this.peek() !== close) {
      if (this.peek() === '') this.fail('unterminated tuple or list');
      items.push(this.value(depth + 1));
      if (this.peek() === ',') {
        this.pos++;
        sawComma = true;
      } else if (this.peek() !== close) {
        this.fail(`expected ',' or '${close}' at character ${this.pos}`);
      }
    }
    this.pos++;
    if (open === '(') {
      // `(3)` is a parenthesised int in Python, not a tuple.
      if (items.length === 1 && !sawComma) return items[0]!;
      return { tuple: items };
    }
    return items;
  }

  dict(depth: number): Map<string, PyValue> {
    this.pos++;
    const out = new Map<string, PyValue>();
    while (this.peek() !== '}') {
      if (this.peek() === '') this.fail('unterminated dict');
      const c = this.peek();
      if (c !== "'" && c !== '"') this.fail(`expected a string key at character ${this.pos}`);
      const key = this.str();
      this.expect(':');
      out.set(key, this.value(depth + 1));
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== '}') this.fail(`expected ',' or '}' at character ${this.pos}`);
    }
    this.pos++;
    return out;
  }
}

function decodeHeaderText(bytes: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!); // latin-1
  return s;
}

function parseDescr(descr: string, field: string): { kind: NpyKind; itemSize: number; littleEndian: boolean } {
  const name = fileName(field);
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!m) throw new InputError(field, `${name} has dtype '${descr}', which is not a plain numeric dtype`);
  const order = m[1]!;
  const code = m[2]!;
  const size = m[3] === '' ? NaN : Number(m[3]);
  const unsupported = (what: string): never => {
    throw new InputError(
      field,
      `${name} holds ${what} (dtype '${descr}'); expected a numeric array: float16/32/64 or an integer type`,
    );
  };
  switch (code) {
    case 'O':
      return unsupported('Python objects');
    case 'U':
    case 'S':
    case 'a':
      return unsupported('strings');
    case 'c':
      return unsupported('complex numbers');
    case 'M':
    case 'm':
      return unsupported('dates/times');
    case 'V':
      return unsupported('raw void records');
  }
  let kind: NpyKind;
  let ok: boolean;
  if (code === 'f') {
    kind = 'f';
    ok = size === 2 || size === 4 || size === 8;
    if (!ok && (size === 12 || size === 16)) return unsupported('extended-precision floats (np.longdouble)');
  } else if (code === 'i' || code === 'u') {
    kind = code;
    ok = size === 1 || size === 2 || size === 4 || size === 8;
  } else if (code === 'b') {
    kind = 'b';
    ok = size === 1;
  } else {
    return unsupported(`an unsupported dtype`);
  }
  if (!ok) return unsupported(`an unsupported dtype`);
  // '=' means native order of the writer; NumPy never writes it, treat it as little endian
  // like every platform Node runs on. '|' (not applicable) only appears for 1-byte types.
  return { kind, itemSize: size, littleEndian: order !== '>' };
}

/**
 * Parse the header of a `.npy` file. `buf` must hold at least the whole header (its first
 * `npyDataOffset(buf)` bytes); data bytes after it are not looked at. Lets the jobs layer
 * stream a big file: read the header, then read `dataLength` bytes in row chunks and
 * decode them with `decodeNpyData`.
 */
export function readNpyHeader(buf: Uint8Array, field = 'array'): NpyHeader {
  const name = fileName(field);
  const headerLength = npyDataOffset(buf, field);
  if (buf.length < headerLength) {
    throw new InputError(
      field,
      `${name} is truncated: its header is ${fmtInt(headerLength)} bytes long but the file has only ${fmtInt(buf.length)} bytes`,
    );
  }
  const version = buf[6] as 1 | 2 | 3;
  const start = version === 1 ? 10 : 12;
  const text = decodeHeaderText(buf.subarray(start, headerLength), version === 3);
  const fail = (why: string): never => {
    throw new InputError(field, `${name} has a malformed header (${why}): ${JSON.stringify(text.slice(0, 200))}`);
  };
  const p = new PyLiteralParser(text, fail);
  if (p.peek() !== '{') fail('the header is not a dict literal');
  const dict = p.dict(0);
  if (p.peek() !== '') fail(`unexpected text after the dict at character ${p.pos}`);
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!dict.has(key)) fail(`missing key '${key}'`);
  }
  const descr = dict.get('descr');
  if (typeof descr !== 'string') {
    throw new InputError(
      field,
      `${name} holds a structured array (dtype with named fields); expected a plain numeric array`,
    );
  }
  const fortran = dict.get('fortran_order');
  if (typeof fortran !== 'boolean') fail(`'fortran_order' must be True or False`);
  const shapeV = dict.get('shape');
  if (shapeV === null || typeof shapeV !== 'object' || !('tuple' in shapeV)) fail(`'shape' must be a tuple`);
  const shape: number[] = [];
  for (const d of (shapeV as { tuple: PyValue[] }).tuple) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) fail(`'shape' must hold non-negative integers`);
    shape.push(d as number);
  }
  const { kind, itemSize, littleEndian } = parseDescr(descr, field);
  let count = 1;
  for (const d of shape) count *= d;
  if (!Number.isSafeInteger(count * itemSize)) fail(`the shape ${formatShape(shape)} is impossibly large`);
  const fortranOrder = fortran as boolean;
  // A Fortran-ordered array with at most one dimension longer than 1 has the same memory
  // layout as C order (NumPy itself never flags such arrays); only reject real transposes.
  if (fortranOrder && shape.filter((d) => d > 1).length >= 2) {
    throw new InputError(
      field,
      `${name} is Fortran-ordered (fortran_order: True); save it with np.ascontiguousarray (C order)`,
    );
  }
  return {
    version,
    dtype: descr,
    kind,
    itemSize,
    littleEndian,
    fortranOrder,
    shape,
    count,
    headerLength,
    dataLength: count * itemSize,
  };
}

// ---------------------------------------------------------------------------------------
// Data decoding

function copyBytes(bytes: Uint8Array): Uint8Array {
  // An explicit copy into a fresh ArrayBuffer at offset 0. (Node's Buffer#slice does not
  // copy, and TypedArray#slice on a Buffer goes through Buffer's species constructor.)
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** Reverse the byte order of each element in place. `b` must start 4-byte aligned (a fresh copy). */
function swapInPlace(b: Uint8Array, size: number): void {
  if (size === 2) {
    const u = new Uint16Array(b.buffer, b.byteOffset, b.length >> 1);
    for (let i = 0; i < u.length; i++) {
      const x = u[i]!;
      u[i] = (x >>> 8) | ((x & 0xff) << 8);
    }
  } else if (size === 4 || size === 8) {
    const u = new Uint32Array(b.buffer, b.byteOffset, b.length >> 2);
    for (let i = 0; i < u.length; i++) {
      const x = u[i]!;
      u[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    }
    if (size === 8) {
      for (let i = 0; i < u.length; i += 2) {
        const t = u[i]!;
        u[i] = u[i + 1]!;
        u[i + 1] = t;
      }
    }
  }
}

type Ctor = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NpyData;
  readonly BYTES_PER_ELEMENT: number;
};

function ctorFor(kind: NpyKind, itemSize: number): Ctor {
  switch (`${kind}${itemSize}`) {
    case 'f4':
      return Float32Array as unknown as Ctor;
    case 'f8':
      return Float64Array as unknown as Ctor;
    case 'i1':
      return Int8Array as unknown as Ctor;
    case 'i2':
      return Int16Array as unknown as Ctor;
    case 'i4':
      return Int32Array as unknown as Ctor;
    case 'i8':
      return BigInt64Array as unknown as Ctor;
    case 'u1':
    case 'b1':
      return Uint8Array as unknown as Ctor;
    case 'u2':
    case 'f2':
      return Uint16Array as unknown as Ctor;
    case 'u4':
      return Uint32Array as unknown as Ctor;
    case 'u8':
      return BigUint64Array as unknown as Ctor;
  }
  throw new RangeError(`no typed array for ${kind}${itemSize}`);
}

/**
 * Decode raw element bytes (a whole number of elements, in the file's byte order) into a
 * typed array. Zero-copy view when little-endian and aligned; otherwise a copy.
 * float16 → Float32Array. Used by `parseNpy` and by chunked readers of big files.
 */
export function decodeNpyData(
  bytes: Uint8Array,
  header: Pick<NpyHeader, 'kind' | 'itemSize' | 'littleEndian'>,
  field = 'array',
): NpyData {
  const { kind, itemSize, littleEndian } = header;
  if (bytes.length % itemSize !== 0) {
    throw new InputError(
      field,
      `${fileName(field)}: ${bytes.length} data bytes is not a whole number of ${itemSize}-byte elements`,
    );
  }
  const n = bytes.length / itemSize;
  let b = bytes;
  if (itemSize > 1 && (!littleEndian || b.byteOffset % itemSize !== 0)) {
    b = copyBytes(b);
    if (!littleEndian) swapInPlace(b, itemSize);
  }
  const Ctor = ctorFor(kind, itemSize);
  const view = new Ctor(b.buffer, b.byteOffset, n);
  if (kind === 'f' && itemSize === 2) {
    const t = float16Table();
    const bits = view as Uint16Array;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = t[bits[i]!]!;
    return out;
  }
  return view;
}

/**
 * Parse a complete `.npy` file. The result may be a view into `buf` (see the module note).
 * Rejects: bad magic, unsupported version, malformed header, unsupported dtype (object,
 * strings, complex, structured, longdouble), Fortran order, truncated data, trailing bytes.
 */
export function parseNpy(buf: Uint8Array, field = 'array'): NpyArray {
  const h = readNpyHeader(buf, field);
  const available = buf.length - h.headerLength;
  const name = fileName(field);
  if (available < h.dataLength) {
    throw new InputError(
      field,
      `${name} is truncated: its header declares shape ${formatShape(h.shape)} of ${npyDtypeName(h.dtype)} ` +
        `(${fmtInt(h.dataLength)} bytes of data) but only ${fmtInt(available)} bytes follow the header`,
    );
  }
  if (available > h.dataLength) {
    throw new InputError(
      field,
      `${name} has ${fmtInt(available - h.dataLength)} unexpected bytes after the array data ` +
        `(shape ${formatShape(h.shape)} of ${npyDtypeName(h.dtype)}); send exactly one array written by np.save`,
    );
  }
  const data = decodeNpyData(buf.subarray(h.headerLength, h.headerLength + h.dataLength), h, field);
  return { dtype: h.dtype, kind: h.kind, shape: h.shape, data };
}

// ---------------------------------------------------------------------------------------
// Interpreting arrays for the classification inputs

/**
 * View a parsed `.npy` as the N×K `pred_probs` matrix: 2-D, float16/32/64. Values are not
 * checked here (see validatePredProbs).
 */
export function npyToProbMatrix(arr: NpyArray, field = 'pred_probs'): ProbMatrix {
  const name = fileName(field);
  if (arr.shape.length !== 2) {
    throw new InputError(
      field,
      `${name} must be a 2-D array of shape (N, K) (one row of K class probabilities per example); got shape ${formatShape(arr.shape)}`,
    );
  }
  if (arr.kind !== 'f') {
    throw new InputError(
      field,
      `${name} has dtype ${npyDtypeName(arr.dtype)} ('${arr.dtype}'); ${field} must be float16, float32 or float64`,
    );
  }
  const data = arr.data as Float32Array | Float64Array;
  checkMatrixSize(field, arr.shape[0]!, arr.shape[1]!);
  return { data, n: arr.shape[0]!, k: arr.shape[1]! };
}

/**
 * View a parsed `.npy` as the 1-D `labels` vector. Integer dtypes of any width are
 * accepted; float dtypes too (every value must then be integer-valued, which toLabels
 * checks, as for JSON where `1.0` and `1` are the same number); bool is rejected.
 * Returns the raw elements (BigInt64Array for int64); range checks happen in toLabels.
 */
export function npyToLabelValues(arr: NpyArray, field = 'labels'): NpyData {
  const name = fileName(field);
  if (arr.shape.length !== 1) {
    const hint = arr.shape.length === 2 && arr.shape[1] === 1 ? ' (use labels.ravel() before np.save)' : '';
    throw new InputError(
      field,
      `${name} must be a 1-D array of N integer labels; got shape ${formatShape(arr.shape)}${hint}`,
    );
  }
  if (arr.kind === 'b') {
    throw new InputError(field, `${name} has dtype bool; labels must be integer class indices in [0, K)`);
  }
  return arr.data;
}

// ---------------------------------------------------------------------------------------
// Writing

export interface WriteNpyOptions {
  /** Format version (default 1; 2 and 3 allow headers over 64 KiB; 3 is UTF-8). */
  version?: 1 | 2 | 3;
  /** Write `fortran_order: True` (the data is written as given). For tests. */
  fortranOrder?: boolean;
  /** Pad so the data offset is a multiple of this (NumPy uses 64). 1 = no padding. */
  align?: number;
}

/**
 * Serialise elements (row-major) as a `.npy` file. `dtype` is a descr such as `<f4`,
 * `>f8`, `<f2`, `<i8`, `|u1`, `|b1` (a descr without byte order means little endian).
 * float16 is rounded to nearest, ties to even; 64-bit integer types take numbers
 * (integers) or bigints.
 */
export function writeNpy(
  values: ArrayLike<number> | ArrayLike<bigint>,
  dtype: string,
  shape: readonly number[],
  opts: WriteNpyOptions = {},
): Uint8Array {
  const version = opts.version ?? 1;
  const align = opts.align ?? 64;
  const descr = /^[<>|=]/.test(dtype) ? dtype : (dtype.endsWith('1') ? '|' : '<') + dtype;
  let info: { kind: NpyKind; itemSize: number; littleEndian: boolean };
  try {
    info = parseDescr(descr, 'writeNpy');
  } catch (e) {
    throw new RangeError(`writeNpy: unsupported dtype ${dtype}: ${(e as Error).message}`);
  }
  let count = 1;
  for (const d of shape) count *= d;
  if (count !== values.length) {
    throw new RangeError(`writeNpy: ${values.length} values do not fill shape ${formatShape(shape)}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dictText = `{'descr': '${descr}', 'fortran_order': ${opts.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const enc = new TextEncoder();
  const dictBytes = version === 3 ? enc.encode(dictText) : Uint8Array.from(dictText, (c) => c.charCodeAt(0) & 0xff);
  const pre = version === 1 ? 10 : 12;
  let total = pre + dictBytes.length + 1; // + '\n'
  const pad = (align - (total % align)) % align;
  total += pad;
  const headerLen = total - pre;
  if (version === 1 && headerLen > 0xffff) throw new RangeError('writeNpy: header too long for version 1.0');

  const { kind, itemSize, littleEndian } = info;
  const out = new Uint8Array(total + count * itemSize);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) {
    out[8] = headerLen & 0xff;
    out[9] = headerLen >>> 8;
  } else {
    new DataView(out.buffer).setUint32(8, headerLen, true);
  }
  out.set(dictBytes, pre);
  out.fill(0x20, pre + dictBytes.length, total - 1);
  out[total - 1] = 0x0a;

  // Fill little-endian elements in an aligned scratch array, then copy (and swap if '>').
  const body = new Uint8Array(count * itemSize);
  const Ctor = ctorFor(kind, itemSize);
  const view = new Ctor(body.buffer, 0, count);
  if (kind === 'f' && itemSize === 2) {
    const u = view as Uint16Array;
    for (let i = 0; i < count; i++) u[i] = numberToFloat16Bits(Number(values[i]));
  } else if (itemSize === 8 && kind !== 'f') {
    const big = view as BigInt64Array | BigUint64Array;
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      big[i] = typeof v === 'bigint' ? v : BigInt(v);
    }
  } else if (kind === 'b') {
    const u = view as Uint8Array;
    for (let i = 0; i < count; i++) u[i] = values[i] ? 1 : 0;
  } else {
    const nums = view as Float64Array;
    for (let i = 0; i < count; i++) nums[i] = Number(values[i]);
  }
  if (!littleEndian) swapInPlace(body, itemSize);
  out.set(body, total);
  return out;
}
