/**
 * Runs one job's computation and returns its result split into the body (stored whole)
 * and the label issues (stored as rows, paginated).
 *
 * - JSON input (arrays inline): the synchronous service handler (`executeRequest`), the
 *   same code as POST /v1/<kind>; the data fit in one request, so they fit in memory.
 * - `.npy` uploads: label-issues, confident-joint and dataset-health run through the
 *   chunked engine (streaming.md), exact and in bounded memory. Other kinds (and options
 *   the engine does not stream, see `chunkedSupport`) load the files and call the service
 *   handler, when the files fit in the memory budget; otherwise the job fails saying so.
 *   Uploads are read from the upload storage (src/jobs/blobs): the files under DATA_DIR, or
 *   local copies streamed from PostgreSQL for the chunked engine's passes.
 */
import { InputError } from '../core/errors.js';
import { executeRequest } from '../service/index.js';
import { blobsFor, scratchTag, type LocalFile } from './blobs/index.js';
import type { JobsConfig } from './config.js';
import { examplesUploadId, withoutExamplesRef } from './examples-upload.js';
import type { JobInput, JobKind, JobProgress } from './store/types.js';
import { chunkedSupport, runChunked } from './stream/engine.js';

/** Label issues in output order, as columns. */
export interface LabelIssueColumns {
  index: ArrayLike<number>;
  given: ArrayLike<number>;
  suggested: ArrayLike<number>;
  quality: ArrayLike<number>;
}

export interface JobOutput {
  /** The synchronous route's body without `label_issues`. */
  body: Record<string, unknown>;
  /** label-issues jobs: every stored issue, worst first; else null. */
  labelIssues: LabelIssueColumns | null;
}

export interface ExecContext {
  cfg: JobsConfig;
  /** The job's id (names its local copies of inputs kept in the database). */
  jobId?: string;
  /** Report progress; throws to abort (cancelled / lease lost). */
  checkpoint(p: JobProgress): Promise<void>;
  /** Called before a step that blocks the thread for long (in-memory execution). */
  beforeBlocking(estimatedMs: number): Promise<void>;
}

export class JobAbortedError extends Error {
  override readonly name = 'JobAbortedError';
}

/** Jobs keep every flagged row unless the request sets `limit`. */
export function withJobDefaults(kind: JobKind, options: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'label-issues' && options.limit === undefined) return { ...options, limit: 0 };
  return options;
}

/** Move `label_issues` (array of records) out of a label-issues body into columns. */
export function splitLabelIssues(kind: JobKind, body: Record<string, unknown>): JobOutput {
  if (kind !== 'label-issues') return { body, labelIssues: null };
  const rows = (body.label_issues ?? []) as { index: number; given_label: number; suggested_label: number; label_quality: number }[];
  const n = rows.length;
  const cols: LabelIssueColumns = {
    index: new Float64Array(n),
    given: new Int32Array(n),
    suggested: new Int32Array(n),
    quality: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    (cols.index as Float64Array)[i] = r.index;
    (cols.given as Int32Array)[i] = r.given_label;
    (cols.suggested as Int32Array)[i] = r.suggested_label;
    (cols.quality as Float64Array)[i] = r.label_quality;
  }
  const { label_issues: _drop, ...rest } = body;
  return { body: rest, labelIssues: cols };
}

/** Rough, generous cost of an in-memory run, for the lease extension (ms). */
function estimateMs(bytes: number): number {
  return 5_000 + bytes / 50_000;
}

/** Approximate size of an inline JSON request (N × K numbers of ~20 characters). */
function jsonBytes(body: Record<string, unknown>): number {
  const n = Array.isArray(body.labels) ? body.labels.length : 0;
  const pp = body.pred_probs;
  const k = Array.isArray(pp) && Array.isArray(pp[0]) ? (pp[0] as unknown[]).length : 1;
  return n * (k + 1) * 20;
}

/**
 * `examples: {"upload": id}`: the computation does not read example content (the stored
 * label issues carry none), so it is set aside once the upload is known to be there.
 */
async function setExamplesRefAside(options: Record<string, unknown>, ctx: ExecContext): Promise<Record<string, unknown>> {
  const id = examplesUploadId(options);
  if (id === null) return options;
  if ((await blobsFor(ctx.cfg).size(id)) === null) {
    throw new InputError('examples', `the upload for examples (${id}) no longer exists: it was deleted or expired (JOB_TTL_HOURS)`);
  }
  return withoutExamplesRef(options);
}

export async function executeJob(kind: JobKind, input: JobInput, ctx: ExecContext): Promise<JobOutput> {
  if (input.type === 'json') {
    const body = withJobDefaults(kind, await setExamplesRefAside(input.body, ctx));
    await ctx.beforeBlocking(estimateMs(jsonBytes(input.body)));
    const r = executeRequest(kind, { kind: 'json', body });
    return splitLabelIssues(kind, r.body);
  }
  const options = withJobDefaults(kind, await setExamplesRefAside(input.options, ctx));
  const blobs = blobsFor(ctx.cfg);
  let total = 0;
  for (const [field, id] of Object.entries(input.uploads)) {
    const size = await blobs.size(id);
    if (size === null) {
      throw new InputError(field, `the upload for ${field} (${id}) no longer exists: it was deleted or expired (JOB_TTL_HOURS)`);
    }
    total += size;
  }
  const why = chunkedSupport(kind, Object.keys(input.uploads), options);
  if (why === null) {
    // Files: the uploaded files themselves. Database: local copies under DATA_DIR/tmp,
    // streamed (the lease is renewed meanwhile) and deleted when the job ends.
    const local: LocalFile[] = [];
    let lastBeat = Date.now();
    const keepAlive = async (): Promise<void> => {
      if (Date.now() - lastBeat < 1000) return;
      lastBeat = Date.now();
      await ctx.checkpoint({ pass: 0, passes: 1, rows_done: 0, rows_total: 0 });
    };
    try {
      const paths: Record<string, string> = {};
      for (const [field, id] of Object.entries(input.uploads)) {
        const f = await blobs.localFile(id, scratchTag(ctx.jobId ?? 'unknown', field), keepAlive);
        local.push(f);
        paths[field] = f.path;
      }
      return await runChunked(kind, { predProbs: paths.pred_probs!, labels: paths.labels! }, options, {
        memoryBudgetBytes: ctx.cfg.memoryBudgetBytes,
        maxChunkRows: ctx.cfg.maxChunkRows,
        checkpoint: ctx.checkpoint,
      });
    } finally {
      for (const f of local) await f.release();
    }
  }
  // In memory: only when the files fit the budget.
  if (total > ctx.cfg.memoryBudgetBytes) {
    throw new InputError(
      'options',
      `${why}; that needs the whole input in memory, and the files (${mb(total)}) exceed the job memory budget ` +
        `(${mb(ctx.cfg.memoryBudgetBytes)}, JOB_MEMORY_BUDGET_MB)`,
    );
  }
  const parts: Record<string, Uint8Array> = {};
  for (const [field, id] of Object.entries(input.uploads)) parts[field] = await blobs.readData(id);
  await ctx.beforeBlocking(estimateMs(total));
  const r = executeRequest(kind, { kind: 'npy', parts, options });
  return splitLabelIssues(kind, r.body);
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
