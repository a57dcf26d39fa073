/**
 * What both stores share: the row mapping (both keep the same columns; SQLite stores JSON
 * as TEXT, PostgreSQL as TEXT too — results are written and read whole, never queried) and
 * the statements whose SQL is the same in both dialects. Statements are written with `?`
 * placeholders (SQLite); the PostgreSQL store numbers them with `numbered`.
 */
import type {
  JobInput,
  JobKind,
  JobProgress,
  JobRecord,
  JobStatus,
  LabelIssueRow,
  Problem,
  ReviewRecord,
  UploadRecord,
  UploadStatus,
} from './types.js';
import { JOB_STATUSES, type StoreStats } from './types.js';

export interface JobRow {
  id: string;
  kind: string;
  owner: string | null;
  status: string;
  progress: string | null;
  error: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  attempts: number | string;
  lease_owner: string | null;
  lease_expires_at: number | string | null;
  created_at: number | string;
  started_at: number | string | null;
  finished_at: number | string | null;
  expires_at: number | string | null;
  label_issues_count: number | string | null;
}

/** Columns of `jobs` read into a JobRecord (never the input or result). */
export const JOB_COLUMNS =
  'id, kind, owner, status, progress, error, idempotency_key, request_hash, attempts, lease_owner, lease_expires_at, ' +
  'created_at, started_at, finished_at, expires_at, label_issues_count';

function num(v: number | string | null): number | null {
  return v === null ? null : Number(v);
}

/**
 * The stored form of an Idempotency-Key: `<owner>\n<key>` for an owned job, the key itself
 * otherwise, so that two owners' keys never meet under the column's UNIQUE constraint (a
 * header value cannot contain a newline, so no unowned key looks like an owned one).
 */
export function storedIdempotencyKey(owner: string | null, key: string | null): string | null {
  return key === null || owner === null ? key : `${owner}\n${key}`;
}

function idempotencyKeyOut(owner: string | null, stored: string | null): string | null {
  return stored !== null && owner !== null && stored.startsWith(`${owner}\n`) ? stored.slice(owner.length + 1) : stored;
}

export function toJob(r: JobRow): JobRecord {
  return {
    id: r.id,
    kind: r.kind as JobKind,
    owner: r.owner,
    status: r.status as JobStatus,
    progress: r.progress === null ? null : (JSON.parse(r.progress) as JobProgress),
    error: r.error === null ? null : (JSON.parse(r.error) as Problem),
    idempotencyKey: idempotencyKeyOut(r.owner, r.idempotency_key),
    requestHash: r.request_hash,
    attempts: Number(r.attempts),
    leaseOwner: r.lease_owner,
    leaseExpiresAt: num(r.lease_expires_at),
    createdAt: Number(r.created_at),
    startedAt: num(r.started_at),
    finishedAt: num(r.finished_at),
    expiresAt: num(r.expires_at),
    labelIssuesCount: num(r.label_issues_count),
  };
}

export function parseInput(text: string): JobInput {
  return JSON.parse(text) as JobInput;
}

export interface UploadRow {
  id: string;
  status: string;
  owner: string | null;
  filename: string | null;
  owner_job_id: string | null;
  size: number | string;
  dtype: string | null;
  shape: string | null;
  created_at: number | string;
  completed_at: number | string | null;
  expires_at: number | string;
}

export const UPLOAD_COLUMNS = 'id, status, owner, filename, owner_job_id, size, dtype, shape, created_at, completed_at, expires_at';

export function toUpload(r: UploadRow): UploadRecord {
  return {
    id: r.id,
    status: r.status as UploadStatus,
    owner: r.owner,
    filename: r.filename,
    ownerJobId: r.owner_job_id,
    size: Number(r.size),
    dtype: r.dtype,
    shape: r.shape === null ? null : (JSON.parse(r.shape) as number[]),
    createdAt: Number(r.created_at),
    completedAt: num(r.completed_at),
    expiresAt: Number(r.expires_at),
  };
}

/** Label-issue quality: SQLite turns NaN into NULL; keep that mapping explicit on both stores. */
export function qualityOut(v: number | null): number {
  return v === null ? Number.NaN : v;
}
export function qualityIn(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

export interface LabelIssueDbRow {
  idx: number | string;
  given: number;
  suggested: number;
  quality: number | null;
}

export function toLabelIssueRow(r: LabelIssueDbRow): LabelIssueRow {
  return {
    index: Number(r.idx),
    given_label: r.given,
    suggested_label: r.suggested,
    label_quality: qualityOut(r.quality),
  };
}

export interface ReviewDbRow {
  idx: number | string;
  reviewer: string;
  label: number | null;
  updated_at: number | string;
}

export function toReview(r: ReviewDbRow): ReviewRecord {
  return { index: Number(r.idx), reviewer: r.reviewer, label: r.label === null ? null : Number(r.label), updatedAt: Number(r.updated_at) };
}

/** Migration 2 (both dialects): reviewers' verdicts, one per (job, index, reviewer). */
export const REVIEWS_MIGRATION = `CREATE TABLE job_reviews (
     job_id TEXT NOT NULL, idx BIGINT NOT NULL, reviewer TEXT NOT NULL, label INTEGER,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (job_id, idx, reviewer)
   )`;

/**
 * Migration 3 (both dialects): tenancy. The name of the API key that created each job and
 * upload; rows from before have NULL (with keys configured, only admin sees them).
 */
export const OWNER_MIGRATION = `ALTER TABLE jobs ADD COLUMN owner TEXT;
   ALTER TABLE uploads ADD COLUMN owner TEXT;
   CREATE INDEX jobs_owner ON jobs (owner, created_at)`;

/** `?` placeholders → PostgreSQL's `$1, $2, …` (no statement below has a `?` in a literal). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * Statements with the same SQL in both stores (`?` placeholders, parameters in the order
 * written). The lifecycle updates carry their own guards (owner, status), so both stores
 * apply exactly the same state transitions.
 */
export const SQL = {
  /** params: id, kind, owner, stored idempotency key, request hash, now */
  insertJob: `INSERT INTO jobs (id, kind, owner, status, idempotency_key, request_hash, attempts, created_at)
    VALUES (?, ?, ?, 'queued', ?, ?, 0, ?)`,
  insertJobInput: 'INSERT INTO job_inputs (job_id, input) VALUES (?, ?)',
  jobById: `SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`,
  jobByIdempotencyKey: `SELECT ${JOB_COLUMNS} FROM jobs WHERE idempotency_key = ?`,
  jobInput: 'SELECT input FROM job_inputs WHERE job_id = ?',
  /** params: lease expiry, progress JSON (null keeps it), id, owner */
  heartbeat: `UPDATE jobs SET lease_expires_at = ?, progress = COALESCE(?, progress)
    WHERE id = ? AND lease_owner = ? AND status = 'running'`,
  /** params: now, expires_at, label_issues_count, id */
  complete: `UPDATE jobs SET status = 'succeeded', finished_at = ?, expires_at = ?, lease_owner = NULL,
      lease_expires_at = NULL, label_issues_count = ?, error = NULL
    WHERE id = ?`,
  /** params: now, expires_at, problem JSON, id */
  fail: `UPDATE jobs SET status = 'failed', finished_at = ?, expires_at = ?, lease_owner = NULL,
      lease_expires_at = NULL, error = ?
    WHERE id = ?`,
  /** params: now, expires_at, id */
  cancel: `UPDATE jobs SET status = 'cancelled', finished_at = ?, expires_at = ?, lease_owner = NULL,
      lease_expires_at = NULL
    WHERE id = ? AND status IN ('queued', 'running')`,
  /** params: id, owner; `greatest` = the dialect's two-argument maximum (MAX / GREATEST) */
  release: (greatest: 'MAX' | 'GREATEST') =>
    `UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = ${greatest}(attempts - 1, 0)
    WHERE id = ? AND lease_owner = ? AND status = 'running'`,
  deleteLabelIssues: 'DELETE FROM job_label_issues WHERE job_id = ?',
  /** Every row of one job except its uploads, children first (param: id, each). */
  deleteJobRows: [
    'DELETE FROM job_reviews WHERE job_id = ?',
    'DELETE FROM job_label_issues WHERE job_id = ?',
    'DELETE FROM job_results WHERE job_id = ?',
    'DELETE FROM job_inputs WHERE job_id = ?',
    'DELETE FROM jobs WHERE id = ?',
  ],
  ownedUploads: 'SELECT id FROM uploads WHERE owner_job_id = ?',
  /** params: job id, index, reviewer, label (null = none), updated_at */
  putReview: `INSERT INTO job_reviews (job_id, idx, reviewer, label, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (job_id, idx, reviewer) DO UPDATE SET label = excluded.label, updated_at = excluded.updated_at`,
  /** params: job id, index, reviewer */
  deleteReview: 'DELETE FROM job_reviews WHERE job_id = ? AND idx = ? AND reviewer = ?',
  /** params: job id */
  listReviews: 'SELECT idx, reviewer, label, updated_at FROM job_reviews WHERE job_id = ? ORDER BY idx, reviewer',
  /** params: job id, reviewer */
  listReviewerReviews: 'SELECT idx, reviewer, label, updated_at FROM job_reviews WHERE job_id = ? AND reviewer = ? ORDER BY idx',
  result: 'SELECT body FROM job_results WHERE job_id = ?',
  /** params: id, first position, end position */
  labelIssuesPage: `SELECT idx, given, suggested, quality FROM job_label_issues
    WHERE job_id = ? AND pos >= ? AND pos < ? ORDER BY pos`,
  /** params: id, owner, filename, owner job, now, expires_at */
  insertUpload: `INSERT INTO uploads (id, owner, status, filename, owner_job_id, size, created_at, expires_at)
    VALUES (?, ?, 'open', ?, ?, 0, ?, ?)`,
  uploadById: `SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE id = ?`,
  /** params: id, id */
  updateUploadSize: 'UPDATE uploads SET size = (SELECT COALESCE(SUM(size), 0) FROM upload_parts WHERE upload_id = ?) WHERE id = ?',
  listUploadParts: 'SELECT n, size, sha256 FROM upload_parts WHERE upload_id = ? ORDER BY n',
  /** params: size, dtype, shape JSON, now, id */
  completeUpload: `UPDATE uploads SET status = 'complete', size = ?, dtype = ?, shape = ?, completed_at = ? WHERE id = ?`,
  deleteUploadParts: 'DELETE FROM upload_parts WHERE upload_id = ?',
  deleteUpload: 'DELETE FROM uploads WHERE id = ?',
  uploadBytes: 'SELECT COALESCE(SUM(size), 0) AS s FROM uploads',
  jobsByStatus: 'SELECT status, COUNT(*) AS c FROM jobs GROUP BY status',
  uploadsByStatus: 'SELECT status, COUNT(*) AS c, COALESCE(SUM(size), 0) AS s FROM uploads GROUP BY status',
  /** params: expires_at, id; `greatest` as for release */
  touchUpload: (greatest: 'MAX' | 'GREATEST') => `UPDATE uploads SET expires_at = ${greatest}(expires_at, ?) WHERE id = ?`,
  /** finished jobs past their expiry (param: now); PostgreSQL appends its row locks */
  expiredJobs: `SELECT id FROM jobs WHERE expires_at IS NOT NULL AND expires_at < ?
    AND status IN ('succeeded','failed','cancelled')`,
  /** uploads no job owns, past their expiry (param: now) */
  expiredUploads: 'SELECT id FROM uploads WHERE owner_job_id IS NULL AND expires_at < ?',
} as const;

/** StoreStats from the rows of SQL.jobsByStatus and SQL.uploadsByStatus. */
export function toStats(jobs: { status: string; c: number | string }[], uploads: { status: string; c: number | string; s: number | string }[]): StoreStats {
  const byStatus = Object.fromEntries(JOB_STATUSES.map((st) => [st, 0])) as Record<JobStatus, number>;
  for (const r of jobs) if (r.status in byStatus) byStatus[r.status as JobStatus] = Number(r.c);
  let open = 0;
  let complete = 0;
  let bytes = 0;
  for (const r of uploads) {
    if (r.status === 'open') open += Number(r.c);
    else complete += Number(r.c);
    bytes += Number(r.s);
  }
  return { jobs: byStatus, uploadsOpen: open, uploadsComplete: complete, uploadBytes: bytes };
}
