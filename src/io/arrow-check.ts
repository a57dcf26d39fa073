/**
 * Structural check of Arrow IPC bytes BEFORE apache-arrow decodes them. apache-arrow trusts
 * the flatbuffer metadata: a vector length or offset changed by one byte makes it loop over
 * (and allocate for) billions of fields that are not there — one byte of a 1 KB stream
 * exhausted the heap. Here every message is framed against the bytes available and every
 * table, vector and string of its metadata that the decoder walks (Message → Schema →
 * Field → children, RecordBatch → nodes and buffers, DictionaryBatch, the file footer) is
 * bounds-checked, with a budget on the number of fields. Only what passes is decoded.
 *
 * Layout (Arrow columnar format, IPC): a stream is messages `0xFFFFFFFF, int32 metadata
 * size, Message flatbuffer (padded), body`, ended by a zero size. A file is `ARROW1\0\0`,
 * the same messages, a Footer flatbuffer, its int32 size and `ARROW1`.
 */
import { InputError } from '../core/errors.js';

/** Most fields (columns and nested children together) a schema may declare. */
const MAX_FIELDS = 10_000;
const MAX_FIELD_DEPTH = 32;

/** Message header union tags (Message.fbs). */
const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;

class Corrupt extends Error {}

/** Bounds-checked reader of one flatbuffer (a view of the metadata bytes). */
class Fb {
  private readonly dv: DataView;
  constructor(private readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(pos: number, len: number): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || len < 0 || pos + len > this.b.length) throw new Corrupt(`offset ${pos}+${len} outside ${this.b.length} bytes`);
  }
  u8(pos: number): number {
    this.need(pos, 1);
    return this.dv.getUint8(pos);
  }
  u16(pos: number): number {
    this.need(pos, 2);
    return this.dv.getUint16(pos, true);
  }
  u32(pos: number): number {
    this.need(pos, 4);
    return this.dv.getUint32(pos, true);
  }
  i32(pos: number): number {
    this.need(pos, 4);
    return this.dv.getInt32(pos, true);
  }
  i64(pos: number): number {
    this.need(pos, 8);
    const v = this.dv.getBigInt64(pos, true);
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Corrupt(`64-bit value ${v} out of range`);
    return Number(v);
  }
  /** The table a uoffset at `pos` points to. */
  table(pos: number): number {
    const t = pos + this.u32(pos);
    const vt = t - this.i32(t);
    const vtLen = this.u16(vt);
    if (vtLen < 4 || vtLen % 2 !== 0) throw new Corrupt('bad vtable');
    this.need(vt, vtLen);
    this.need(t, this.u16(vt + 2));
    return t;
  }
  /** Position of field `id` of table `t`, or −1 when absent. */
  field(t: number, id: number): number {
    const vt = t - this.i32(t);
    const vtLen = this.u16(vt);
    const slot = 4 + 2 * id;
    if (slot + 2 > vtLen) return -1;
    const off = this.u16(vt + slot);
    return off === 0 ? -1 : t + off;
  }
  /** A vector of `elemSize`-byte elements at field `id`: [start, length] or null. */
  vector(t: number, id: number, elemSize: number): [number, number] | null {
    const f = this.field(t, id);
    if (f < 0) return null;
    const v = f + this.u32(f);
    const len = this.u32(v);
    this.need(v + 4, len * elemSize);
    return [v + 4, len];
  }
  /** An int64 scalar at field `id` (0 when absent). */
  i64Field(t: number, id: number): number {
    const f = this.field(t, id);
    return f < 0 ? 0 : this.i64(f);
  }
  string(t: number, id: number): void {
    this.vector(t, id, 1);
  }
  subTable(t: number, id: number): number {
    const f = this.field(t, id);
    return f < 0 ? -1 : this.table(f);
  }
}

function checkFields(fb: Fb, parent: number, id: number, depth: number, count: { n: number }): void {
  const v = fb.vector(parent, id, 4);
  if (!v) return;
  if (depth > MAX_FIELD_DEPTH) throw new Corrupt('fields nested too deep');
  const [start, len] = v;
  count.n += len;
  if (count.n > MAX_FIELDS) throw new Corrupt(`more than ${MAX_FIELDS} fields`);
  for (let i = 0; i < len; i++) {
    const f = fb.table(start + 4 * i);
    fb.string(f, 0); // name
    fb.subTable(f, 3); // type
    const dict = fb.subTable(f, 4);
    if (dict >= 0) fb.subTable(dict, 1); // index type
    checkFields(fb, f, 5, depth + 1, count); // children
    checkKeyValues(fb, f, 6);
  }
}

function checkKeyValues(fb: Fb, t: number, id: number): void {
  const v = fb.vector(t, id, 4);
  if (!v) return;
  for (let i = 0; i < v[1]; i++) {
    const kv = fb.table(v[0] + 4 * i);
    fb.string(kv, 0);
    fb.string(kv, 1);
  }
}

function checkSchema(fb: Fb, schema: number): void {
  checkFields(fb, schema, 1, 0, { n: 0 });
  checkKeyValues(fb, schema, 2);
  fb.vector(schema, 3, 8); // features
}

function checkRecordBatch(fb: Fb, rb: number, bodyLength: number): void {
  fb.i64Field(rb, 0);
  fb.vector(rb, 1, 16); // FieldNode structs
  const buffers = fb.vector(rb, 2, 16);
  if (buffers) {
    for (let i = 0; i < buffers[1]; i++) {
      const offset = fb.i64(buffers[0] + 16 * i);
      const length = fb.i64(buffers[0] + 16 * i + 8);
      if (offset + length > bodyLength) throw new Corrupt(`buffer ${i} (${offset}+${length}) outside the ${bodyLength}-byte body`);
    }
  }
  const compression = fb.subTable(rb, 3);
  if (compression >= 0) throw new Corrupt('compressed record batches are not supported');
  fb.vector(rb, 4, 8);
}

/** One Message flatbuffer; returns its body length. */
function checkMessage(meta: Uint8Array, available: number): number {
  const fb = new Fb(meta);
  const m = fb.table(0);
  const bf = fb.field(m, 3);
  const bodyLength = bf < 0 ? 0 : fb.i64(bf);
  if (bodyLength > available) throw new Corrupt(`message body of ${bodyLength} bytes but only ${available} follow`);
  const tf = fb.field(m, 1);
  const type = tf < 0 ? 0 : fb.u8(tf);
  const header = fb.subTable(m, 2);
  if (header >= 0) {
    if (type === SCHEMA) checkSchema(fb, header);
    else if (type === RECORD_BATCH) checkRecordBatch(fb, header, bodyLength);
    else if (type === DICTIONARY_BATCH) {
      const rb = fb.subTable(header, 1);
      if (rb >= 0) checkRecordBatch(fb, rb, bodyLength);
    } else throw new Corrupt(`unsupported message type ${type}`);
  }
  checkKeyValues(fb, m, 4);
  return bodyLength;
}

/** Walk the messages of a stream starting at `pos`; stops at the end marker or the end. */
function checkStream(bytes: Uint8Array, pos: number, end: number): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (pos + 4 <= end) {
    let len = dv.getInt32(pos, true);
    pos += 4;
    if (len === -1) {
      if (pos + 4 > end) throw new Corrupt('stream ends inside a message length');
      len = dv.getInt32(pos, true);
      pos += 4;
    }
    if (len === 0) return;
    if (len < 0 || pos + len > end) throw new Corrupt(`message metadata of ${len} bytes but only ${end - pos} follow`);
    const body = checkMessage(bytes.subarray(pos, pos + len), end - pos - len);
    pos += len + body;
  }
}

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // ARROW1

function hasMagic(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < 6; i++) if (bytes[at + i] !== MAGIC[i]) return false;
  return true;
}

function checkFile(bytes: Uint8Array): void {
  const n = bytes.length;
  if (n < 6 + 2 + 4 + 6 || !hasMagic(bytes, n - 6)) throw new Corrupt('Arrow file without its trailing magic');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const footerLen = dv.getInt32(n - 10, true);
  const footerStart = n - 10 - footerLen;
  if (footerLen <= 0 || footerStart < 8) throw new Corrupt(`footer of ${footerLen} bytes does not fit`);
  const fb = new Fb(bytes.subarray(footerStart, n - 10));
  const footer = fb.table(0);
  const schema = fb.subTable(footer, 1);
  if (schema >= 0) checkSchema(fb, schema);
  for (const id of [2, 3]) {
    const blocks = fb.vector(footer, id, 24);
    if (!blocks) continue;
    for (let i = 0; i < blocks[1]; i++) {
      const offset = fb.i64(blocks[0] + 24 * i);
      const metaLen = fb.i32(blocks[0] + 24 * i + 8);
      const bodyLen = fb.i64(blocks[0] + 24 * i + 16);
      if (metaLen < 0 || offset + metaLen + bodyLen > footerStart) throw new Corrupt(`block ${i} outside the file`);
      checkStream(bytes, offset, offset + metaLen + bodyLen);
    }
  }
  checkStream(bytes, 8, footerStart);
}

/**
 * Throw InputError (naming `body`) unless the bytes are structurally sound Arrow IPC
 * (stream or file) that apache-arrow can decode within the size of the input.
 */
export function checkArrowIpc(bytes: Uint8Array): void {
  try {
    if (bytes.length >= 6 && hasMagic(bytes, 0)) checkFile(bytes);
    else checkStream(bytes, 0, bytes.length);
  } catch (e) {
    if (!(e instanceof Corrupt) && !(e instanceof RangeError)) throw e;
    throw new InputError(
      'body',
      `the request body is not a readable Arrow IPC stream (corrupt metadata: ${e.message}); send the bytes of pyarrow's ` +
        `ipc.new_stream / polars' DataFrame.write_ipc_stream`,
    );
  }
}
