/**
 * Arrow IPC ingest (`application/vnd.apache.arrow.stream`, as pyarrow and polars write
 * it; the Arrow file format is accepted too). Expects a `labels` integer column and a
 * `pred_probs` column of FixedSizeList<float16|float32|float64> (polars' Array type,
 * pyarrow's FixedSizeListArray); a variable List<float> with rows of equal length is
 * accepted too (pyarrow's default for a list of lists).
 *
 * Decoding is zero-copy when the stream has one record batch without nulls (the arrays
 * are views into `bytes`); several batches are concatenated into one array. Child value
 * buffers may be padded beyond the data, so only the first `length` values are taken.
 * Values are not range-checked here: pass the result to validateClassificationInput.
 *
 * Note (arrow-js convention, verified on v21): `Data.values` is already positioned at the
 * slice start (Data.slice subarrays the buffers); `Data.offset` only positions the
 * validity bitmap.
 */
import {
  Data,
  DataType,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  makeData,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { InputError } from '../core/errors.js';
import { checkArrowIpc } from './arrow-check.js';
import type { ProbMatrix } from '../core/types.js';
import { float16Table } from './float16.js';
import { checkMatrixSize } from './limits.js';
import type { LabelSource } from './validate.js';
import type { NpyData } from './npy.js';

export interface ArrowColumns {
  /** Name of the label column (default `labels`). */
  labels?: string;
  /** Name of the probability column (default `pred_probs`). */
  predProbs?: string;
}

export interface ArrowClassificationArrays {
  /** Raw label values (BigInt64Array for int64): check with toLabels / validateClassificationInput. */
  labels: LabelSource;
  predProbs: ProbMatrix;
}

/** Every numeric typed array a column can arrive as (the same set as a `.npy` array's). */
type NumArray = NpyData;

function typeName(t: DataType): string {
  return String(t);
}

/** Row of the first null in [0, length) of an Arrow Data, or −1. */
function firstNull(d: Data): number {
  if (d.nullCount <= 0) return -1;
  const bitmap = d.nullBitmap;
  if (!bitmap || bitmap.length === 0) return -1;
  for (let i = 0; i < d.length; i++) {
    const pos = d.offset + i;
    if ((bitmap[pos >> 3]! & (1 << (pos & 7))) === 0) return i;
  }
  return -1;
}

function isHalf(t: DataType): boolean {
  return DataType.isFloat(t) && t.precision === 0;
}

function readTable(bytes: Uint8Array): Table {
  let table: Table;
  checkArrowIpc(bytes);
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new InputError(
      'body',
      `the request body is not a readable Arrow IPC stream (${(e as Error).message}); send the bytes of pyarrow's ` +
        `ipc.new_stream / polars' DataFrame.write_ipc_stream`,
    );
  }
  if (!(table instanceof Table) || table.schema.fields.length === 0) {
    // apache-arrow returns an empty table (no schema) for bytes that hold no Arrow message.
    throw new InputError(
      'body',
      'the request body is not a readable Arrow IPC stream (no schema message found); send the bytes of ' +
        "pyarrow's ipc.new_stream / polars' DataFrame.write_ipc_stream",
    );
  }
  return table;
}

function findColumn(schema: Schema, name: string): number {
  const idx = schema.fields.findIndex((f) => f.name === name);
  if (idx < 0) {
    const present = schema.fields.map((f) => JSON.stringify(f.name)).join(', ') || 'none';
    throw new InputError(name, `the Arrow stream has no column "${name}" (columns present: ${present})`);
  }
  return idx;
}

/**
 * Decode the `labels` and `pred_probs` columns of an Arrow IPC stream (or file).
 * Throws InputError naming the column for a missing column, a wrong type, a null
 * (with its row) or a ragged list row; naming `body` when the bytes are not Arrow IPC.
 */
export function decodeArrowClassification(bytes: Uint8Array, columns: ArrowColumns = {}): ArrowClassificationArrays {
  return decodeArrowTable(readTable(bytes), columns);
}

/** As decodeArrowClassification, for an already decoded apache-arrow Table. */
export function decodeArrowTable(table: Table, columns: ArrowColumns = {}): ArrowClassificationArrays {
  const lname = columns.labels ?? 'labels';
  const pname = columns.predProbs ?? 'pred_probs';
  const schema = table.schema;
  const li = findColumn(schema, lname);
  const pi = findColumn(schema, pname);
  const batches = table.batches.filter((b) => b.numRows > 0);
  const n = batches.reduce((s, b) => s + b.numRows, 0);
  const labels = decodeLabelColumn(
    schema.fields[li]!.type,
    batches.map((b) => b.data.children[li]!),
    n,
    lname,
  );
  const predProbs = decodeProbColumn(
    schema.fields[pi]!.type,
    batches.map((b) => b.data.children[pi]!),
    n,
    pname,
  );
  return { labels, predProbs };
}

function decodeLabelColumn(type: DataType, parts: Data[], n: number, name: string): LabelSource {
  if (!DataType.isInt(type) && !DataType.isFloat(type)) {
    throw new InputError(
      name,
      `column "${name}" has Arrow type ${typeName(type)}; expected an integer column of class indices`,
    );
  }
  let row0 = 0;
  for (const d of parts) {
    const nul = firstNull(d);
    if (nul >= 0) {
      throw new InputError(name, `${name}[${row0 + nul}] is null; every example needs a label`, { row: row0 + nul });
    }
    row0 += d.length;
  }
  const half = isHalf(type);
  const take = (d: Data): NumArray => {
    const v = (d.values as NumArray).subarray(0, d.length) as NumArray;
    if (!half) return v;
    const t = float16Table();
    return Float32Array.from(v as Uint16Array, (h) => t[h]!);
  };
  if (parts.length === 1) return take(parts[0]!);
  const first = parts.length > 0 ? take(parts[0]!) : new Int32Array(0);
  const Ctor = first.constructor as { new (len: number): NumArray };
  const out = new Ctor(n);
  let o = 0;
  for (const d of parts) {
    const v = take(d);
    (out as Int32Array).set(v as Int32Array, o);
    o += v.length;
  }
  return out as LabelSource;
}

function decodeProbColumn(type: DataType, parts: Data[], n: number, name: string): ProbMatrix {
  const fixed = DataType.isFixedSizeList(type);
  const variable = DataType.isList(type) || DataType.isLargeList(type);
  const childType: DataType | undefined = fixed || variable ? (type.children[0]?.type as DataType) : undefined;
  if (!childType || !DataType.isFloat(childType)) {
    throw new InputError(
      name,
      `column "${name}" has Arrow type ${typeName(type)}; expected FixedSizeList<Float32 or Float64> of K ` +
        `probabilities per row (pyarrow: pa.FixedSizeListArray.from_arrays(pred_probs.ravel(), K); polars: pl.Array)`,
    );
  }
  const half = isHalf(childType);
  const f64 = childType.precision === 2;
  const OutCtor = f64 ? Float64Array : Float32Array;

  // Determine K.
  let k: number;
  if (fixed) {
    k = (type as FixedSizeList).listSize;
  } else {
    k = -1;
    for (const d of parts) {
      if (d.length > 0) {
        const off = d.valueOffsets as Int32Array | BigInt64Array;
        k = Number(off[1]!) - Number(off[0]!);
        break;
      }
    }
    if (k < 0) k = 0;
  }
  checkMatrixSize(name, n, k);

  // Nulls and ragged rows, with the global row.
  let row0 = 0;
  for (const d of parts) {
    const nul = firstNull(d);
    if (nul >= 0) {
      throw new InputError(name, `${name} row ${row0 + nul} is null; every example needs K probabilities`, {
        row: row0 + nul,
      });
    }
    const child = d.children[0]!;
    if (variable) {
      const off = d.valueOffsets as Int32Array | BigInt64Array;
      for (let i = 0; i < d.length; i++) {
        const len = Number(off[i + 1]!) - Number(off[i]!);
        if (len !== k) {
          throw new InputError(
            name,
            `${name} row ${row0 + i} has ${len} value${len === 1 ? '' : 's'}; expected ${k} (the length of row 0)`,
            { row: row0 + i },
          );
        }
      }
      const start = Number(off[0]!);
      const cn = firstNullInRange(child, start, start + d.length * k);
      if (cn >= 0) {
        const rel = cn - start;
        throw childNull(name, row0 + Math.floor(rel / k), rel % k);
      }
    } else {
      const cn = firstNullInRange(child, 0, d.length * k);
      if (cn >= 0) throw childNull(name, row0 + Math.floor(cn / k), cn % k);
    }
    row0 += d.length;
  }

  const valuesOf = (d: Data): Float32Array | Float64Array => {
    const child = d.children[0]!;
    const start = variable ? Number((d.valueOffsets as Int32Array | BigInt64Array)[0]!) : 0;
    const raw = (child.values as Float32Array | Float64Array | Uint16Array).subarray(start, start + d.length * k);
    if (!half) return raw as Float32Array | Float64Array;
    const t = float16Table();
    const out = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = t[raw[i]!]!;
    return out;
  };
  let data: Float32Array | Float64Array;
  if (parts.length === 1) {
    data = valuesOf(parts[0]!);
  } else {
    data = new OutCtor(n * k);
    let o = 0;
    for (const d of parts) {
      const v = valuesOf(d);
      data.set(v, o);
      o += v.length;
    }
  }
  return { data, n, k };
}

function firstNullInRange(d: Data, from: number, to: number): number {
  if (d.nullCount <= 0) return -1;
  const bitmap = d.nullBitmap;
  if (!bitmap || bitmap.length === 0) return -1;
  for (let i = from; i < to; i++) {
    const pos = d.offset + i;
    if ((bitmap[pos >> 3]! & (1 << (pos & 7))) === 0) return i;
  }
  return -1;
}

function childNull(name: string, row: number, column: number): InputError {
  return new InputError(name, `${name}[${row}][${column}] is null, expected a number`, { row, column });
}

// ---------------------------------------------------------------------------------------
// Encoding (tests, benchmarks, CLI)

export type ArrowLabelType = 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64';

export interface EncodeArrowOptions {
  /** Rows per record batch (default: everything in one batch). */
  batchSize?: number;
  /** Arrow type of the labels column (default int64, as pyarrow writes numpy int64). */
  labelType?: ArrowLabelType;
  /** Float type of the probabilities (default: float64 for Float64Array data, else float32). */
  floatType?: 'float32' | 'float64';
  /** Column names (default labels / pred_probs). */
  columns?: ArrowColumns;
  /** Write the Arrow file format instead of the stream format. */
  format?: 'stream' | 'file';
}

const LABEL_TYPES = {
  int8: () => new Int8(),
  int16: () => new Int16(),
  int32: () => new Int32(),
  int64: () => new Int64(),
  uint8: () => new Uint8(),
  uint16: () => new Uint16(),
  uint32: () => new Uint32(),
  uint64: () => new Uint64(),
} as const;

/**
 * Encode labels + an N×K probability matrix as an Arrow IPC stream with a `labels` integer
 * column and a `pred_probs` FixedSizeList<float> column, like pyarrow would.
 */
export function encodeArrowClassification(
  labels: ArrayLike<number> | BigInt64Array,
  predProbs: ProbMatrix,
  opts: EncodeArrowOptions = {},
): Uint8Array {
  const { n, k } = predProbs;
  if (labels.length !== n) throw new RangeError(`encodeArrowClassification: ${labels.length} labels for ${n} rows`);
  const labelType = LABEL_TYPES[opts.labelType ?? 'int64']();
  const f64 = (opts.floatType ?? (predProbs.data instanceof Float64Array ? 'float64' : 'float32')) === 'float64';
  const floatType = f64 ? new Float64() : new Float32();
  const listType = new FixedSizeList(k, new Field('item', floatType, false));
  const schema = new Schema([
    new Field(opts.columns?.labels ?? 'labels', labelType, false),
    new Field(opts.columns?.predProbs ?? 'pred_probs', listType, false),
  ]);
  const batchSize = Math.max(1, opts.batchSize ?? Math.max(n, 1));
  const batches: RecordBatch[] = [];
  for (let start = 0; start < n || (n === 0 && start === 0); start += batchSize) {
    const len = Math.min(batchSize, n - start);
    const ArrayType = labelType.ArrayType as unknown as { new (len: number): NumArray };
    const lab = new ArrayType(len);
    const big = lab instanceof BigInt64Array || lab instanceof BigUint64Array;
    for (let i = 0; i < len; i++) {
      const v = labels[start + i]!;
      (lab as unknown as (number | bigint)[])[i] = big ? BigInt(v) : Number(v);
    }
    const probs = f64 ? new Float64Array(len * k) : new Float32Array(len * k);
    probs.set(predProbs.data.subarray(start * k, (start + len) * k));
    const labelData = makeData({ type: labelType, length: len, nullCount: 0, data: lab as never });
    const child = makeData({ type: floatType, length: len * k, nullCount: 0, data: probs as never });
    const listData = makeData({ type: listType, length: len, nullCount: 0, child });
    const struct = makeData({
      type: new Struct(schema.fields),
      length: len,
      nullCount: 0,
      children: [labelData, listData],
    });
    batches.push(new RecordBatch(schema, struct));
    if (n === 0) break;
  }
  return tableToIPC(new Table(schema, batches), opts.format ?? 'stream');
}
