/**
 * Settings of the jobs subsystem. The service's config (src/config.ts) provides
 * DATA_DIR, DATABASE_URL and JOB_TTL_HOURS; the rest have defaults and optional
 * environment overrides read here (JOB_MEMORY_BUDGET_MB, JOB_DISK_BUDGET_MB,
 * JOB_LEASE_SECONDS, JOB_MAX_ATTEMPTS, JOB_POLL_MS, JOB_UPLOAD_PART_MAX_MB, JOB_RUNNER,
 * JOB_MAX_CHUNK_ROWS, UPLOAD_STORAGE, DATABASE_SCHEMA, METRICS_PORT).
 * A bad value is a ConfigError naming the variable, like the service's own settings.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../config.js';

export interface JobsConfig {
  /** Directory for the SQLite file and uploaded/stored files. */
  dataDir: string;
  /** `postgres://…` to keep jobs in PostgreSQL; unset = SQLite in dataDir. */
  databaseUrl: string | null;
  /** PostgreSQL schema for the tables (tests use a unique one). */
  pgSchema: string;
  /** Finished jobs and unused uploads are removed this long after they finish. */
  jobTtlHours: number;
  /** Memory a chunked job may use for its row chunks (bytes). */
  memoryBudgetBytes: number;
  /** Maximum bytes of stored uploads; null = limited only by the disk itself. */
  diskBudgetBytes: number | null;
  /** Lease of a running job; a worker renews it while it works. */
  leaseMs: number;
  /** A job whose worker died this many times fails instead of being retried. */
  maxAttempts: number;
  /** Queue polling interval of an idle worker. */
  pollMs: number;
  /** Largest single upload part. */
  maxPartBytes: number;
  /** Largest multipart body of POST /v1/jobs (streamed to disk). */
  maxMultipartBytes: number;
  /** Testing hook: cap the rows per chunk (forces tiny chunks). */
  maxChunkRows: number | null;
  /** 'thread': the server runs jobs in a worker thread; 'off': only `labelcheck worker` processes do. */
  runner: 'thread' | 'off';
  /**
   * Where upload bytes live (src/jobs/blobs.ts): 'files' under dataDir (every replica must
   * mount the same dataDir), or 'database': chunked `bytea` rows in PostgreSQL (replicas
   * share only the database). Default: 'database' with databaseUrl, else 'files'.
   */
  uploadStorage: 'files' | 'database';
  /** `labelcheck worker`: serve GET /metrics on this port (null: no metrics endpoint). */
  metricsPort: number | null;
}

const MB = 1024 * 1024;

export const DEFAULT_JOBS_CONFIG: JobsConfig = {
  dataDir: resolve('data'),
  databaseUrl: null,
  pgSchema: 'public',
  jobTtlHours: 168,
  memoryBudgetBytes: 256 * MB,
  diskBudgetBytes: null,
  leaseMs: 30_000,
  maxAttempts: 3,
  pollMs: 500,
  maxPartBytes: 1024 * MB,
  maxMultipartBytes: 64 * 1024 * MB,
  maxChunkRows: null,
  runner: 'thread',
  uploadStorage: 'files',
  metricsPort: null,
};

const posNum = z.coerce.number().positive();

const EnvSchema = z.object({
  DATA_DIR: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).optional(),
  JOB_TTL_HOURS: posNum.optional(),
  JOB_MEMORY_BUDGET_MB: posNum.optional(),
  JOB_DISK_BUDGET_MB: posNum.optional(),
  JOB_LEASE_SECONDS: posNum.optional(),
  JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).optional(),
  JOB_POLL_MS: posNum.optional(),
  JOB_UPLOAD_PART_MAX_MB: posNum.optional(),
  JOB_RUNNER: z.enum(['thread', 'off']).optional(),
  JOB_MAX_CHUNK_ROWS: z.coerce.number().int().min(1).optional(),
  UPLOAD_STORAGE: z.enum(['files', 'database']).optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be a PostgreSQL identifier (letters, digits, _)' })
    .optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

/** Jobs settings from environment variables (unset ones keep their defaults). */
export function jobsConfigFromEnv(env: Record<string, string | undefined> = process.env): JobsConfig {
  return resolveJobsConfig(jobsSettingsFromEnv(env));
}

/** The jobs settings the environment sets (validated; a bad one is a ConfigError). */
function jobsSettingsFromEnv(env: Record<string, string | undefined>): Partial<JobsConfig> {
  const raw = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in EnvSchema.shape && v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const variables: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      variables[name] ??= `${issue.message} (got ${JSON.stringify(raw[name] ?? null)})`;
    }
    throw new ConfigError(variables);
  }
  const e = parsed.data;
  return {
    ...(e.DATA_DIR !== undefined ? { dataDir: e.DATA_DIR } : {}),
    ...(e.DATABASE_URL !== undefined ? { databaseUrl: e.DATABASE_URL } : {}),
    ...(e.JOB_TTL_HOURS !== undefined ? { jobTtlHours: e.JOB_TTL_HOURS } : {}),
    ...(e.JOB_MEMORY_BUDGET_MB !== undefined ? { memoryBudgetBytes: e.JOB_MEMORY_BUDGET_MB * MB } : {}),
    ...(e.JOB_DISK_BUDGET_MB !== undefined ? { diskBudgetBytes: e.JOB_DISK_BUDGET_MB * MB } : {}),
    ...(e.JOB_LEASE_SECONDS !== undefined ? { leaseMs: e.JOB_LEASE_SECONDS * 1000 } : {}),
    ...(e.JOB_MAX_ATTEMPTS !== undefined ? { maxAttempts: e.JOB_MAX_ATTEMPTS } : {}),
    ...(e.JOB_POLL_MS !== undefined ? { pollMs: e.JOB_POLL_MS } : {}),
    ...(e.JOB_UPLOAD_PART_MAX_MB !== undefined ? { maxPartBytes: e.JOB_UPLOAD_PART_MAX_MB * MB } : {}),
    ...(e.JOB_RUNNER !== undefined ? { runner: e.JOB_RUNNER } : {}),
    ...(e.JOB_MAX_CHUNK_ROWS !== undefined ? { maxChunkRows: e.JOB_MAX_CHUNK_ROWS } : {}),
    ...(e.UPLOAD_STORAGE !== undefined ? { uploadStorage: e.UPLOAD_STORAGE } : {}),
    ...(e.DATABASE_SCHEMA !== undefined ? { pgSchema: e.DATABASE_SCHEMA } : {}),
    ...(e.METRICS_PORT !== undefined ? { metricsPort: e.METRICS_PORT } : {}),
  };
}

/**
 * Defaults completed with the given fields; dataDir made absolute. Upload storage
 * defaults to 'database' when there is a database, and 'database' without one is an error.
 */
export function resolveJobsConfig(partial: Partial<JobsConfig> = {}): JobsConfig {
  const cfg = { ...DEFAULT_JOBS_CONFIG };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) (cfg as Record<string, unknown>)[k] = v;
  }
  cfg.dataDir = resolve(cfg.dataDir);
  if (cfg.databaseUrl !== null && !/^postgres(ql)?:\/\//.test(cfg.databaseUrl)) {
    throw new Error(`DATABASE_URL must be a postgres:// URL (got ${JSON.stringify(cfg.databaseUrl.split(':')[0])}…)`);
  }
  if (partial.uploadStorage === undefined) cfg.uploadStorage = cfg.databaseUrl !== null ? 'database' : 'files';
  if (cfg.uploadStorage === 'database' && cfg.databaseUrl === null) {
    throw new ConfigError({ UPLOAD_STORAGE: 'database needs DATABASE_URL (uploads are kept in PostgreSQL); use files without a database' });
  }
  return cfg;
}

export function ttlMs(cfg: JobsConfig): number {
  return cfg.jobTtlHours * 3600_000;
}

/** Jobs settings from the service config (src/config.ts) plus the jobs-only variables. */
export function jobsConfigFromAppConfig(
  config: { dataDir: string; databaseUrl: string | undefined; jobTtlHours: number },
  env: Record<string, string | undefined> = process.env,
): JobsConfig {
  const fromEnv = jobsSettingsFromEnv({ ...env, DATA_DIR: undefined, DATABASE_URL: undefined, JOB_TTL_HOURS: undefined });
  return resolveJobsConfig({
    ...fromEnv,
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl ?? null,
    jobTtlHours: config.jobTtlHours,
  });
}
