/**
 * What the report and the review routes read of a finished label-issues job: its arrays
 * (decoded by the service from the stored input, inline JSON or uploaded .npy files), its
 * options (class names, example content: inline or from a `.jsonl` upload), its stored result and its flagged rows, worst
 * first. Decoded once per job and kept in a small cache (the arrays do not change).
 */
import { InputError } from '../core/errors.js';
import { labelIssuesOptionsSchema, type LabelIssuesOptions } from '../schemas/label-issues.js';
import { decodeClassification, type ClassificationInput } from '../service/input.js';
import type { JobsConfig } from './config.js';
import { readUploadBytes } from './blobs/index.js';
import { withExamplesContent } from './examples-upload.js';
import type { ReviewDataset } from '../service/review.js';
import type { JobRecord, JobStore } from './store/types.js';

export interface JobData extends ReviewDataset {
  jobId: string;
  /** The stored result body (label-issues without `label_issues`). */
  result: Record<string, unknown>;
  /** Label quality of each flagged row, in `flagged` order. */
  quality: (number | null)[];
}

const CACHE_SIZE = 4;
const cache = new Map<string, Promise<JobData>>();

async function load(store: JobStore, cfg: JobsConfig, job: JobRecord): Promise<JobData> {
  const input = await store.getJobInput(job.id);
  if (!input) throw new InputError('id', `Job ${job.id} has no stored input`);
  let decoded: { arrays: ClassificationInput; options: LabelIssuesOptions };
  if (input.type === 'json') {
    const body = await withExamplesContent(cfg, input.body, job.id);
    decoded = decodeClassification({ kind: 'json', body }, labelIssuesOptionsSchema);
  } else {
    const parts: Record<string, Uint8Array> = {};
    for (const [field, id] of Object.entries(input.uploads)) {
      try {
        parts[field] = await readUploadBytes(cfg, id);
      } catch {
        throw new InputError(field, `The upload for ${field} of job ${job.id} no longer exists (deleted or expired)`);
      }
    }
    const options = await withExamplesContent(cfg, input.options, job.id);
    decoded = decodeClassification({ kind: 'npy', parts, options }, labelIssuesOptionsSchema);
  }
  const result = ((await store.getResult(job.id)) ?? {}) as Record<string, unknown>;
  const rows = job.labelIssuesCount ? await store.getLabelIssues(job.id, 0, job.labelIssuesCount) : [];
  const flaggedSet = new Uint8Array(decoded.arrays.predProbs.n);
  for (const r of rows) flaggedSet[r.index] = 1;
  return {
    jobId: job.id,
    input: decoded.arrays,
    options: decoded.options,
    result,
    flagged: rows.map((r) => r.index),
    flaggedSet,
    quality: rows.map((r) => (Number.isNaN(r.label_quality) ? null : r.label_quality)),
  };
}

/** The job's data (cached). The job must be a succeeded label-issues job. */
export function jobData(store: JobStore, cfg: JobsConfig, job: JobRecord): Promise<JobData> {
  const hit = cache.get(job.id);
  if (hit) {
    cache.delete(job.id);
    cache.set(job.id, hit);
    return hit;
  }
  const p = load(store, cfg, job);
  cache.set(job.id, p);
  p.catch(() => cache.delete(job.id));
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return p;
}

/** Forget a job's cached data (deleted job). */
export function forgetJobData(jobId: string): void {
  cache.delete(jobId);
}

