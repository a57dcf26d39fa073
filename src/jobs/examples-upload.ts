/**
 * Per-example content of a job as an upload (review.md §1): `examples: {"upload": id}` in
 * the job's options refers to a completed `.jsonl` upload (JSON Lines, one object per row
 * with any of `id`, `text`, `url`; validated and counted at complete, src/jobs/uploads.ts).
 *
 * The reference is stored in the job's input as sent. The computation does not read the
 * content (the stored label issues carry none), so the executor only checks the file is
 * still there; the report and the review routes read it (review-data.ts).
 */
import { InputError } from '../core/errors.js';
import type { Examples } from '../schemas/examples.js';
import { canSee, type Caller } from '../service/caller.js';
import { decodeExamplesBytes, parseExamplesJsonl } from '../service/examples.js';
import { NotFoundError } from '../service/problem.js';
import { readUploadBytes } from './blobs/index.js';
import { isId } from './files.js';
import type { JobsConfig } from './config.js';
import type { JobStore, UploadRecord } from './store/types.js';
import { uploadFormat } from './uploads.js';

/** The upload id of `examples: {"upload": id}`, else null (absent, or content inline). */
export function examplesUploadId(options: Record<string, unknown>): string | null {
  const v = options.examples;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).length !== 1) return null;
  const up = (v as { upload?: unknown }).upload;
  return typeof up === 'string' ? up : null;
}

/** The options without an `examples` upload reference (the computation does not read it). */
export function withoutExamplesRef(options: Record<string, unknown>): Record<string, unknown> {
  if (examplesUploadId(options) === null) return options;
  const { examples: _ref, ...rest } = options;
  return rest;
}

/**
 * Check `examples: {"upload": id}` at submit time: a completed `.jsonl` upload with one
 * row per example (`n`, when known from the arrays). 400 naming `examples` otherwise.
 */
export async function checkExamplesUpload(store: JobStore, caller: Caller, id: string, n: number | null): Promise<UploadRecord> {
  if (!isId(id)) throw new InputError('examples', 'examples.upload must be an upload id returned by POST /v1/uploads');
  const u = await store.getUpload(id);
  // Another key's upload is answered exactly like one that does not exist.
  if (!u || !canSee(caller, u.owner)) throw new NotFoundError(`examples refers to upload ${id}, which does not exist (deleted or expired?)`);
  if (u.status !== 'complete') throw new InputError('examples', `examples refers to upload ${id}, which is not complete; POST /v1/uploads/${id}/complete first`);
  if (uploadFormat(u) !== 'jsonl') {
    throw new InputError(
      'examples',
      `examples refers to upload ${id}, a .npy upload; examples must be a JSON Lines upload (create it with a filename ending in .jsonl)`,
    );
  }
  const rows = u.shape?.[0] ?? 0;
  if (n !== null && rows !== n) {
    throw new InputError('examples', `examples (upload ${id}) has ${rows} rows; expected one per example (N = ${n})`);
  }
  return u;
}

/** Read and decode a completed `.jsonl` upload; a missing file fails naming `examples`. */
export async function loadExamplesUpload(cfg: JobsConfig, id: string, jobId: string): Promise<Examples> {
  let bytes: Uint8Array;
  try {
    bytes = await readUploadBytes(cfg, id);
  } catch {
    throw new InputError('examples', `The examples upload ${id} of job ${jobId} no longer exists (deleted or expired, JOB_TTL_HOURS)`);
  }
  return parseExamplesJsonl(decodeExamplesBytes(bytes, `The examples upload ${id}`));
}

/** Options with `examples: {"upload": id}` replaced by the uploaded content. */
export async function withExamplesContent(cfg: JobsConfig, options: Record<string, unknown>, jobId: string): Promise<Record<string, unknown>> {
  const id = examplesUploadId(options);
  if (id === null) return options;
  return { ...options, examples: await loadExamplesUpload(cfg, id, jobId) };
}
