/**
 * Uploads: parts are streamed to the upload storage (src/jobs/blobs: files under
 * DATA_DIR/uploads/<id>/ or chunked rows in PostgreSQL; never held in memory, hashed on
 * the way), then `complete` checks the `.npy` header against the total size BEFORE
 * touching anything, and joins the parts into the upload's data. The disk budget
 * (JOB_DISK_BUDGET_MB) is enforced while bytes arrive; a full disk is reported as
 * insufficient storage.
 *
 * An upload whose filename ends in `.jsonl` is JSON Lines instead (per-example content for
 * a job's `examples`, review.md §1): `complete` checks it is at most JOB_MEMORY_BUDGET_MB
 * (it is read whole when a job's report or review queue is served), then reads it once,
 * line by line, checking UTF-8 and every row; its `shape` is `[rows]`, its dtype null.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { InputError, isInputError } from '../core/errors.js';
import { npyDataOffset, NPY_PREAMBLE_BYTES, readNpyHeader, type NpyHeader } from '../io/npy.js';
import { parseExampleLine } from '../service/examples.js';
import { InsufficientStorageError, NotFoundError, PayloadTooLargeError, ResultNotReadyError, UploadCompleteError, UploadCompletingError, withHeaders } from '../service/problem.js';
import { blobsFor, mapDiskError, streamToFile } from './blobs/index.js';
import { ttlMs, type JobsConfig } from './config.js';
import { diskUsage } from './files.js';
import type { JobRecord, JobStore, UploadPart, UploadRecord } from './store/types.js';

export function notFound(what: string, id: string): Error {
  return new NotFoundError(`No ${what} with id ${id}`);
}

/** 409 for a job that has no result (yet). */
export function notReady(job: JobRecord): Error {
  const detail =
    job.status === 'failed'
      ? `Job ${job.id} failed: ${job.error?.detail ?? 'see GET /v1/jobs/' + job.id}`
      : job.status === 'cancelled'
        ? `Job ${job.id} was cancelled; it has no result`
        : `Job ${job.id} is ${job.status}; poll GET /v1/jobs/${job.id} until its status is succeeded`;
  return withHeaders(new ResultNotReadyError(detail), job.status === 'queued' || job.status === 'running' ? { 'retry-after': '2' } : {});
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/** Throws 507 if adding `extra` bytes would pass the disk budget. Returns the bytes in use. */
export async function checkDiskBudget(store: JobStore, cfg: JobsConfig, extra: number): Promise<number> {
  const used = await diskUsage(store, cfg);
  if (cfg.diskBudgetBytes !== null && used + extra > cfg.diskBudgetBytes) {
    throw new InsufficientStorageError(
      `Storing ${mb(extra)} more would exceed the disk budget: ${mb(used)} of ${mb(cfg.diskBudgetBytes)} (JOB_DISK_BUDGET_MB) are in use. ` +
        'Delete finished jobs or uploads you no longer need, then retry.',
    );
  }
  return used;
}

export { mapDiskError, streamToFile };

export type UploadFormat = 'npy' | 'jsonl';

/** The format an upload's filename declares: `.jsonl` → JSON Lines, anything else `.npy`. */
export function declaredFormat(filename: string | null): UploadFormat {
  return filename !== null && /\.jsonl$/i.test(filename) ? 'jsonl' : 'npy';
}

/** What a completed upload holds (a `.npy` has a dtype), or an open one will hold. */
export function uploadFormat(u: UploadRecord): UploadFormat {
  if (u.status === 'complete') return u.dtype === null ? 'jsonl' : 'npy';
  return declaredFormat(u.filename);
}

/** Open an upload filed under `owner` (the creating key's name; null: no one). */
export async function createUpload(
  store: JobStore,
  cfg: JobsConfig,
  filename: string | null,
  ownerJobId: string | null = null,
  owner: string | null = null,
): Promise<UploadRecord> {
  const id = randomUUID();
  await blobsFor(cfg).create(id);
  const now = Date.now();
  return store.createUpload({ id, filename, owner, ownerJobId, now, expiresAt: now + ttlMs(cfg) });
}

export async function getOpenUpload(store: JobStore, id: string): Promise<UploadRecord> {
  const u = await store.getUpload(id);
  if (!u) throw notFound('upload', id);
  if (u.status !== 'open') {
    throw new UploadCompleteError(id);
  }
  return u;
}

/** PUT /v1/uploads/{id}/parts/{n}: stream one part to disk. */
export async function receivePart(
  store: JobStore,
  cfg: JobsConfig,
  id: string,
  n: number,
  body: Readable,
  contentLength: number | null,
): Promise<UploadPart> {
  const upload = await getOpenUpload(store, id);
  const previous = (await store.listUploadParts(id)).find((p) => p.n === n)?.size ?? 0;
  const used = await checkDiskBudget(store, cfg, Math.max(0, (contentLength ?? 0) - previous));
  const budgetLeft = cfg.diskBudgetBytes === null ? null : cfg.diskBudgetBytes - used + previous;
  const { size, sha256 } = await blobsFor(cfg).writePart(upload.id, n, body, {
    maxBytes: cfg.maxPartBytes,
    budgetLeft,
    what: `Part ${n} of upload ${id}`,
  });
  const part = { n, size, sha256 };
  await store.putUploadPart(id, part);
  return part;
}

/** Validate a `.npy` header against the file's total size. */
export function checkNpySize(h: NpyHeader, size: number, field: string): void {
  const want = h.headerLength + h.dataLength;
  if (size !== want) {
    throw new InputError(
      field,
      `${field}.npy has ${size} bytes but its header (shape (${h.shape.join(', ')}), dtype ${h.dtype}) needs exactly ${want}: ` +
        (size < want ? 'parts are missing or the file is truncated' : 'there are unexpected bytes after the array data'),
    );
  }
}

/** Completions running in this process, by upload id. */
const completing = new Map<string, Promise<UploadRecord>>();

/**
 * POST /v1/uploads/{id}/complete: atomic, idempotent and crash-safe.
 * - A second call while one runs (in this process, or with database storage in any
 *   process) is a 409; a call after it succeeded returns the completed upload again.
 * - Files: the parts are joined into a temp file that is fsynced and renamed to data.npy;
 *   database: the stored parts are checked (they already are the data). Only then is the
 *   upload marked complete in the store, and only after that are the parts removed. A
 *   crash before the store update leaves the upload open with all its parts (complete it
 *   again); after it, the upload is complete (stray parts go with it).
 */
export async function completeUpload(store: JobStore, cfg: JobsConfig, id: string): Promise<UploadRecord> {
  if (completing.has(id)) {
    throw withHeaders(new UploadCompletingError(id), { 'retry-after': '1' });
  }
  // The lock is taken synchronously, before the first await.
  const run = (async () => {
    const unlock = await blobsFor(cfg).lockCompletion(id);
    if (!unlock) throw withHeaders(new UploadCompletingError(id), { 'retry-after': '1' });
    try {
      const u = await store.getUpload(id);
      if (!u) throw notFound('upload', id);
      if (u.status === 'complete') {
        await removePartFiles(cfg, id);
        return u;
      }
      return await joinAndComplete(store, cfg, u);
    } finally {
      await unlock();
    }
  })();
  completing.set(id, run);
  try {
    return await run;
  } finally {
    completing.delete(id);
  }
}

async function removePartFiles(cfg: JobsConfig, id: string): Promise<void> {
  await blobsFor(cfg).afterComplete(id);
}

async function joinAndComplete(store: JobStore, cfg: JobsConfig, u: UploadRecord): Promise<UploadRecord> {
  const id = u.id;
  const parts = await store.listUploadParts(id);
  if (parts.length === 0) throw new InputError('parts', `Upload ${id} has no parts; PUT /v1/uploads/${id}/parts/1 first`);
  for (let i = 0; i < parts.length; i++) {
    if (parts[i]!.n !== i + 1) {
      throw new InputError('parts', `Upload ${id} is missing part ${i + 1} (it has parts ${parts.map((p) => p.n).join(', ')}); parts are numbered 1, 2, 3, … without gaps`);
    }
  }
  const blobs = blobsFor(cfg);
  const readPrefix = (want: number) => blobs.readPartsPrefix(id, parts, want);
  const size = parts.reduce((s, p) => s + p.size, 0);
  const field = 'upload';
  let meta: { dtype: string | null; shape: number[] };
  if (declaredFormat(u.filename) === 'jsonl') {
    if (size > cfg.memoryBudgetBytes) {
      throw new PayloadTooLargeError(
        `Upload ${id} (${u.filename}) has ${mb(size)}; a .jsonl upload may have at most ${mb(cfg.memoryBudgetBytes)} (JOB_MEMORY_BUDGET_MB)`,
      );
    }
    meta = { dtype: null, shape: [await countJsonlRows(blobs.partsStream(id, parts), id)] };
  } else {
    const pre = await readPrefix(NPY_PREAMBLE_BYTES);
    const headerLength = npyDataOffset(pre, field);
    const header = readNpyHeader(await readPrefix(headerLength), field);
    checkNpySize(header, size, field);
    meta = { dtype: header.dtype, shape: header.shape };
  }
  // Files: join into a temp file, make it durable, move it into place atomically.
  await blobs.join(id, parts, size);
  const done = await store.completeUpload(id, { size, ...meta, now: Date.now() });
  if (!done) throw notFound('upload', id);
  await removePartFiles(cfg, id);
  return done;
}

/**
 * Read the parts of a JSON Lines upload in order, line by line, with the rules of
 * parseExamplesJsonl (UTF-8; one object per line with any of id, text, url; trailing blank
 * lines ignored, blank lines between rows rejected). Returns the number of rows.
 */
async function countJsonlRows(parts: Readable, id: string): Promise<number> {
  const bad = (detail: string, row?: number): InputError =>
    new InputError('upload', `Upload ${id} is not valid JSON Lines: ${detail}`, row === undefined ? undefined : { row });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let carry = '';
  let seen = 0; // lines read
  let rows = 0; // lines up to the last non-blank one
  let firstBlank: { line: string; row: number } | null = null;
  const take = (raw: string): void => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const row = seen++;
    if (line.trim() === '') {
      firstBlank ??= { line, row };
      return;
    }
    try {
      // A blank line followed by a row shifts every later row: its own parse error.
      if (firstBlank) parseExampleLine(firstBlank.line, firstBlank.row);
      parseExampleLine(line, row);
    } catch (e) {
      if (isInputError(e)) throw bad(e.message, firstBlank?.row ?? row);
      throw e;
    }
    rows = seen;
  };
  const decode = (chunk?: Buffer): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch {
      throw bad(`it is not UTF-8 (near line ${seen + 1})`);
    }
  };
  const scan = (text: string): void => {
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      take(carry + text.slice(start, nl));
      carry = '';
      start = nl + 1;
    }
    carry += text.slice(start);
  };
  for await (const chunk of parts) scan(decode(chunk as Buffer));
  scan(decode());
  take(carry);
  return rows;
}

/** Delete an upload's rows and files. */
export async function deleteUpload(store: JobStore, cfg: JobsConfig, id: string): Promise<boolean> {
  const ok = await store.deleteUpload(id);
  await blobsFor(cfg).remove([id]);
  return ok;
}
