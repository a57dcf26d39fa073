/**
 * Row-chunk reader of a `.npy` file on disk: the header is parsed by src/io
 * (readNpyHeader), the data is read `rows` rows at a time into one reused buffer and
 * decoded by src/io (decodeNpyData) — a zero-copy view for aligned little-endian data.
 * A decoded chunk is valid only until the next read.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../../core/errors.js';
import { decodeNpyData, npyDataOffset, NPY_PREAMBLE_BYTES, readNpyHeader, type NpyData, type NpyHeader } from '../../io/npy.js';

export class NpyFileReader {
  readonly header: NpyHeader;
  /** Elements per row (product of shape[1:]; 1 for a 1-D array). */
  readonly rowElements: number;
  readonly rows: number;
  private buf: Buffer | null = null;

  private constructor(
    private fh: FileHandle,
    header: NpyHeader,
    readonly field: string,
  ) {
    this.header = header;
    this.rows = header.shape.length === 0 ? 1 : header.shape[0]!;
    let re = 1;
    for (let i = 1; i < header.shape.length; i++) re *= header.shape[i]!;
    this.rowElements = re;
  }

  /** Open a file and parse its header; the file size must match the header exactly. */
  static async open(path: string, field: string): Promise<NpyFileReader> {
    const fh = await open(path, 'r');
    try {
      const header = await readHeader(fh, field);
      const { size } = await fh.stat();
      const want = header.headerLength + header.dataLength;
      if (size !== want) {
        throw new InputError(
          field,
          `${field}.npy has ${size} bytes but its header (shape (${header.shape.join(', ')}), dtype ${header.dtype}) ` +
            `needs exactly ${want}: the file is ${size < want ? 'truncated' : 'followed by unexpected bytes'}`,
        );
      }
      return new NpyFileReader(fh, header, field);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  get rowBytes(): number {
    return this.rowElements * this.header.itemSize;
  }

  /** Read rows [start, start+count) and decode them (valid until the next call). */
  async read(start: number, count: number): Promise<NpyData> {
    const bytes = count * this.rowBytes;
    if (this.buf === null || this.buf.length < bytes) this.buf = Buffer.allocUnsafeSlow(bytes);
    const pos = this.header.headerLength + start * this.rowBytes;
    let done = 0;
    while (done < bytes) {
      const { bytesRead } = await this.fh.read(this.buf, done, bytes - done, pos + done);
      if (bytesRead === 0) throw new InputError(this.field, `${this.field}.npy ended early at row ${start + Math.floor(done / this.rowBytes)}`);
      done += bytesRead;
    }
    return decodeNpyData(this.buf.subarray(0, bytes), this.header, this.field);
  }

  async close(): Promise<void> {
    this.buf = null;
    await this.fh.close();
  }
}

/** Parse the header of an open .npy file (reads only the header bytes). */
export async function readHeader(fh: FileHandle, field: string): Promise<NpyHeader> {
  const pre = Buffer.alloc(NPY_PREAMBLE_BYTES);
  const { bytesRead } = await fh.read(pre, 0, NPY_PREAMBLE_BYTES, 0);
  const len = npyDataOffset(pre.subarray(0, bytesRead), field);
  const head = Buffer.alloc(len);
  const r = await fh.read(head, 0, len, 0);
  return readNpyHeader(head.subarray(0, r.bytesRead), field);
}

/** Header of a .npy file on disk. */
export async function readNpyFileHeader(path: string, field: string): Promise<NpyHeader> {
  const fh = await open(path, 'r');
  try {
    return await readHeader(fh, field);
  } finally {
    await fh.close();
  }
}
