/**
 * The job store: job metadata, the queue (claim with a lease), stored results with their
 * paginated label issues, and upload metadata. Two implementations with identical
 * behaviour: SQLite (embedded default) and PostgreSQL (several processes/machines).
 *
 * Times are epoch milliseconds (numbers) everywhere; the caller passes `now` so tests and
 * both stores agree on one clock.
 */

export const JOB_KINDS = ['label-issues', 'confident-joint', 'dataset-health', 'corrected-accuracy'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobProgress {
  /** Current pass (0-based), see streaming.md §2. */
  pass: number;
  /** Total passes the job will make. */
  passes: number;
  rows_done: number;
  rows_total: number;
}

/** RFC 9457 problem object, as stored for a failed job. */
import type { Problem } from '../../service/problem.js';
export type { Problem };

/**
 * What the job computes from. `json`: the synchronous route's JSON body (arrays inline).
 * `npy`: arrays in completed uploads (files under DATA_DIR/uploads), plus the options.
 */
export type JobInput =
  | { type: 'json'; body: Record<string, unknown> }
  | { type: 'npy'; uploads: Record<string, string>; options: Record<string, unknown> };

export interface JobRecord {
  id: string;
  kind: JobKind;
  /** Name of the API key that created it (src/service/caller.ts); null: single-user mode or created before tenancy. */
  owner: string | null;
  status: JobStatus;
  progress: JobProgress | null;
  error: Problem | null;
  idempotencyKey: string | null;
  /** sha256 of the canonical request, to detect an Idempotency-Key reused for another request. */
  requestHash: string | null;
  attempts: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Set when the job finishes: finishedAt + TTL. */
  expiresAt: number | null;
  /** Number of stored label issues (label-issues jobs), else null. */
  labelIssuesCount: number | null;
}

export interface NewJob {
  id: string;
  kind: JobKind;
  input: JobInput;
  /** The creating key's name (default null: no one). Idempotency keys are per owner. */
  owner?: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  now: number;
}

/** One stored label issue row (names are added when served). */
export interface LabelIssueRow {
  index: number;
  given_label: number;
  suggested_label: number;
  label_quality: number;
}

/** Column batch of label issues, in output order. */
export interface LabelIssueBatch {
  index: ArrayLike<number>;
  given: ArrayLike<number>;
  suggested: ArrayLike<number>;
  quality: ArrayLike<number>;
}

export type UploadStatus = 'open' | 'complete';

export interface UploadRecord {
  id: string;
  status: UploadStatus;
  /** Name of the API key that created it; null: single-user mode or created before tenancy. */
  owner: string | null;
  filename: string | null;
  /** Job that created it implicitly (multipart job); deleted with that job. */
  ownerJobId: string | null;
  /** Bytes of the completed file, or sum of the received parts while open. */
  size: number;
  /** After completion: the .npy header facts; a `.jsonl` upload has dtype null and shape [rows]. */
  dtype: string | null;
  shape: number[] | null;
  createdAt: number;
  completedAt: number | null;
  expiresAt: number;
}

export interface NewUpload {
  id: string;
  filename: string | null;
  /** The creating key's name (default null: no one). */
  owner?: string | null;
  ownerJobId: string | null;
  now: number;
  expiresAt: number;
}

export interface UploadPart {
  n: number;
  size: number;
  sha256: string;
}

/** One reviewer's verdict on one example of a job (review.md §3). */
export interface ReviewRecord {
  index: number;
  reviewer: string;
  /** The class the reviewer says is correct; null = no single correct label. */
  label: number | null;
  updatedAt: number;
}

export interface ListJobsQuery {
  offset: number;
  limit: number;
  status?: JobStatus;
  /** Only the jobs of this owner (undefined: every job). */
  owner?: string;
}

/** What GET /metrics reports of the store (src/jobs/metrics.ts). */
export interface StoreStats {
  /** Jobs by status (every status present, 0 when none). */
  jobs: Record<JobStatus, number>;
  /** Uploads still receiving parts. */
  uploadsOpen: number;
  uploadsComplete: number;
  /** Bytes of all uploads (as uploadBytes). */
  uploadBytes: number;
}

export interface PurgeResult {
  jobIds: string[];
  uploadIds: string[];
}

export interface JobStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Create tables / run migrations (idempotent). */
  init(): Promise<void>;
  close(): Promise<void>;

  /**
   * Insert a job. With an idempotency key that the same owner already used, nothing is
   * inserted and the existing job is returned with created=false (keys of different owners
   * never meet).
   */
  createJob(job: NewJob): Promise<{ job: JobRecord; created: boolean }>;
  getJob(id: string): Promise<JobRecord | null>;
  getJobInput(id: string): Promise<JobInput | null>;
  listJobs(q: ListJobsQuery): Promise<{ jobs: JobRecord[]; total: number }>;

  /**
   * Claim the oldest runnable job: queued, or running with an expired lease (its worker
   * died). Sets status running, the lease, attempts + 1. Returns null when none.
   */
  claimNext(owner: string, now: number, leaseMs: number): Promise<JobRecord | null>;
  /**
   * Renew the lease and store progress. Returns false when the job is no longer ours to
   * run (cancelled, deleted, or the lease was taken over): the worker must stop.
   */
  heartbeat(id: string, owner: string, now: number, leaseMs: number, progress: JobProgress | null): Promise<boolean>;

  /** Remove label issues left by an earlier (crashed) attempt. Lease-checked. */
  clearLabelIssues(id: string, owner: string): Promise<boolean>;
  /** Append label issues at positions start.. (output order). Lease-checked. */
  appendLabelIssues(id: string, owner: string, start: number, batch: LabelIssueBatch): Promise<boolean>;
  /** Store the result body and mark succeeded. Returns false if the lease was lost. */
  complete(id: string, owner: string, now: number, ttlMs: number, body: unknown, labelIssuesCount: number | null): Promise<boolean>;
  /** Mark failed with a problem. Returns false if the lease was lost. */
  fail(id: string, owner: string, now: number, ttlMs: number, error: Problem): Promise<boolean>;
  /** Put a running job back to queued (graceful worker shutdown); the attempt does not count. */
  release(id: string, owner: string): Promise<boolean>;

  /**
   * Cancel a queued or running job (status → cancelled, lease cleared). Returns the job
   * after the change, or null if unknown. A finished job is returned unchanged.
   */
  cancel(id: string, now: number, ttlMs: number): Promise<JobRecord | null>;
  /** Delete a job with its result and label issues; returns the ids of uploads it owned. */
  deleteJob(id: string): Promise<{ deleted: boolean; ownedUploads: string[] }>;

  getResult(id: string): Promise<unknown | null>;
  getLabelIssues(id: string, offset: number, limit: number): Promise<LabelIssueRow[]>;

  createUpload(u: NewUpload): Promise<UploadRecord>;
  getUpload(id: string): Promise<UploadRecord | null>;
  /** Record a received part (replaces an earlier part with the same number). */
  putUploadPart(id: string, part: UploadPart): Promise<void>;
  listUploadParts(id: string): Promise<UploadPart[]>;
  completeUpload(id: string, meta: { size: number; dtype: string | null; shape: number[]; now: number }): Promise<UploadRecord | null>;
  deleteUpload(id: string): Promise<boolean>;
  /** Extend an upload's expiry to at least expiresAt (a job now refers to it). */
  touchUpload(id: string, expiresAt: number): Promise<void>;
  /** Bytes of all uploads (open parts and completed files), for the disk budget. */
  uploadBytes(): Promise<number>;
  /** Counts for the metrics: jobs by status, uploads by status, bytes stored. */
  stats(): Promise<StoreStats>;

  /** Store a verdict; the same reviewer + index replaces the earlier one. */
  putReview(jobId: string, review: ReviewRecord): Promise<void>;
  /** Remove one reviewer's verdict on an index; false when there was none. */
  deleteReview(jobId: string, index: number, reviewer: string): Promise<boolean>;
  /** A job's verdicts (one reviewer's, when given), by index then reviewer. */
  listReviews(jobId: string, reviewer?: string): Promise<ReviewRecord[]>;

  /** Remove finished jobs and uploads whose expiry passed. Returns what was removed. */
  purgeExpired(now: number): Promise<PurgeResult>;
}
