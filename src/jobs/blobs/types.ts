/**
 * Where the bytes of uploads live (UPLOAD_STORAGE): one interface, two implementations.
 *
 * - `files` (files.ts): DATA_DIR/uploads/<id>/part-<n> while open, data.npy once complete.
 *   The default without DATABASE_URL; with replicas, DATA_DIR must be one shared volume.
 * - `database` (postgres.ts): chunked `bytea` rows in PostgreSQL (`upload_chunks`), so API
 *   replicas and workers on other machines share only the database. The default with
 *   DATABASE_URL.
 *
 * Bytes are always streamed: in through a meter (size, SHA-256, part and disk-budget
 * limits), out as a stream or, for the chunked job engine, materialised into a local file
 * under the reader's own DATA_DIR/tmp (removed when the job ends).
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { npyDataOffset, NPY_PREAMBLE_BYTES, readNpyHeader, type NpyHeader } from '../../io/npy.js';
import { InsufficientStorageError, PayloadTooLargeError } from '../../service/problem.js';
import type { UploadPart } from '../store/types.js';

export interface WriteLimits {
  /** Refuse (413) past this many bytes. */
  maxBytes: number;
  /** Refuse (507) past this many bytes; null = no disk budget. */
  budgetLeft: number | null;
  /** How the bytes are named in errors ("Part 3 of upload …"). */
  what: string;
}

export interface Written {
  size: number;
  sha256: string;
}

/** A file on this machine holding an upload's bytes; call release() when done with it. */
export interface LocalFile {
  path: string;
  release(): Promise<void>;
}

export interface BlobStore {
  readonly kind: 'files' | 'database';
  /** Prepare a new upload's storage. */
  create(id: string): Promise<void>;
  /** Stream part `n` in; it replaces an earlier part `n` only once received whole. */
  writePart(id: string, n: number, body: Readable, limits: WriteLimits): Promise<Written>;
  /** Stream a whole file in as the upload's data (multipart jobs: complete at once). */
  writeData(id: string, body: Readable, limits: WriteLimits): Promise<Written>;
  /** The first `want` bytes of the parts, in order (fewer if they are shorter). */
  readPartsPrefix(id: string, parts: readonly UploadPart[], want: number): Promise<Buffer>;
  /** The parts, in order, as one stream. */
  partsStream(id: string, parts: readonly UploadPart[]): Readable;
  /**
   * Make the parts the upload's data, durably, checking they hold `size` bytes. The caller
   * marks the upload complete in the job store afterwards, then calls afterComplete.
   */
  join(id: string, parts: readonly UploadPart[], size: number): Promise<void>;
  /** After the store marked the upload complete: drop what the join left (parts, temp). */
  afterComplete(id: string): Promise<void>;
  /**
   * Exclusive right to complete this upload, across processes where the storage is shared
   * (null: another process holds it). Call the returned function to release it.
   */
  lockCompletion(id: string): Promise<(() => Promise<void>) | null>;
  /** Bytes of a completed upload's data, or null when it has none (deleted, expired). */
  size(id: string): Promise<number | null>;
  /** The first `want` bytes of the data. */
  readDataPrefix(id: string, want: number): Promise<Buffer>;
  /** The whole data in memory (callers check the size against the memory budget first). */
  readData(id: string): Promise<Buffer>;
  /** The data as a stream. */
  dataStream(id: string): Readable;
  /**
   * A local file with the data. `tag` names a temp copy (the database store writes one
   * under DATA_DIR/tmp, calling `onProgress` between chunks; it may throw to abort).
   */
  localFile(id: string, tag: string, onProgress?: () => Promise<void>): Promise<LocalFile>;
  /** Remove the bytes of these uploads (their store rows are already gone). */
  remove(ids: readonly string[]): Promise<void>;
  /** Ids of the uploads that have bytes stored. */
  ids(): Promise<string[]>;
  /** Remove bytes whose upload no longer exists in the store (crash leftovers). */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/** Counts and hashes the bytes going through; errors 413 past maxBytes and 507 past the budget. */
export function meter(limits: WriteLimits): { stream: Transform; result(): Written } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limits.maxBytes) {
        cb(new PayloadTooLargeError(`${limits.what} exceeds ${mb(limits.maxBytes)}`));
        return;
      }
      if (limits.budgetLeft !== null && size > limits.budgetLeft) {
        cb(new InsufficientStorageError(`${limits.what} does not fit: only ${mb(limits.budgetLeft)} of the disk budget (JOB_DISK_BUDGET_MB) remain`));
        return;
      }
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  return { stream, result: () => ({ size, sha256: hash.digest('hex') }) };
}

/** A full disk (file system or PostgreSQL) as 507 insufficient storage. */
export function mapDiskError(e: unknown): unknown {
  const code = (e as { code?: string })?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === '53100') {
    return new InsufficientStorageError('The data volume is full; the upload was discarded. Free space or delete finished jobs and uploads, then retry.');
  }
  return e;
}

/** Parse the `.npy` header at the start of some bytes read by `prefix(want)`. */
export async function readNpyHeaderFrom(prefix: (want: number) => Promise<Buffer>, field: string): Promise<NpyHeader> {
  const pre = await prefix(NPY_PREAMBLE_BYTES);
  const headerLength = npyDataOffset(pre, field);
  return readNpyHeader(await prefix(headerLength), field);
}
