/**
 * Row mapping shared by both stores. Both keep the same columns; SQLite stores JSON as
 * TEXT, PostgreSQL as TEXT too (results are written and read whole, never queried).
 */
import type { JobInput, JobKind, JobProgress, JobRecord, JobStatus, Problem, UploadRecord, UploadStatus } from './types.js';

export interface JobRow {
  id: string;
  kind: string;
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
  'id, kind, status, progress, error, idempotency_key, request_hash, attempts, lease_owner, lease_expires_at, ' +
  'created_at, started_at, finished_at, expires_at, label_issues_count';

function num(v: number | string | null): number | null {
  return v === null ? null : Number(v);
}

export function toJob(r: JobRow): JobRecord {
  return {
    id: r.id,
    kind: r.kind as JobKind,
    status: r.status as JobStatus,
    progress: r.progress === null ? null : (JSON.parse(r.progress) as JobProgress),
    error: r.error === null ? null : (JSON.parse(r.error) as Problem),
    idempotencyKey: r.idempotency_key,
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
  filename: string | null;
  owner_job_id: string | null;
  size: number | string;
  dtype: string | null;
  shape: string | null;
  created_at: number | string;
  completed_at: number | string | null;
  expires_at: number | string;
}

export const UPLOAD_COLUMNS = 'id, status, filename, owner_job_id, size, dtype, shape, created_at, completed_at, expires_at';

export function toUpload(r: UploadRow): UploadRecord {
  return {
    id: r.id,
    status: r.status as UploadStatus,
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
