/**
 * Service configuration from environment variables, validated with zod at start-up.
 * A bad value stops the process with a message naming the variable (see `loadConfig`).
 * The table in the README lists the same variables, defaults and meanings.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEFAULT_LIMITS, type Limits } from './io/limits.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** An unset or empty variable counts as absent, so `FOO=` falls back to the default. */
const blankToUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const int = (min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .int({ error: 'must be an integer' })
      .min(min, { error: `must be >= ${min}` })
      .max(max, { error: `must be <= ${max}` })
      .optional(),
  );

const positiveNumber = (max: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .gt(0, { error: 'must be > 0' })
      .max(max, { error: `must be <= ${max}` })
      .optional(),
  );

const optionalString = z.preprocess(blankToUndefined, z.string().optional());

/** The raw environment, variable by variable (names exactly as users set them). */
export const envSchema = z.object({
  PORT: int(0, 65535),
  HOST: optionalString,
  LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(LOG_LEVELS).optional()),
  BODY_LIMIT_MB: positiveNumber(64 * 1024),
  WORKERS: int(1, 1024),
  MAX_QUEUE: int(0, 1_000_000),
  API_KEY: optionalString,
  SHUTDOWN_TIMEOUT_MS: int(0, 3_600_000),
  RETRY_AFTER_SECONDS: int(1, 3600),
  MAX_EVENT_LOOP_DELAY_MS: int(0, 3_600_000),
  MAX_RSS_MB: int(0, 16 * 1024 * 1024),
  DATABASE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
  ),
  DATA_DIR: optionalString,
  MEDIA_ROOT: optionalString,
  JOB_TTL_HOURS: positiveNumber(24 * 365 * 100),
  // Work limits of one request (src/io/limits.ts).
  MAX_CLASSES: int(2, 10_000_000),
  MAX_CELLS: int(1, Number.MAX_SAFE_INTEGER),
  MAX_CLASS_NAME_LENGTH: int(1, 100_000_000),
  MAX_JSON_DEPTH: int(2, 10_000),
  MAX_ITER: int(1, 100_000_000),
  MAX_RESPONSE_MB: positiveNumber(64 * 1024),
  COMPUTE_TIMEOUT_MS: int(0, 24 * 3_600_000),
  // Connection timeouts.
  HEADERS_TIMEOUT_MS: int(1, 3_600_000),
  REQUEST_TIMEOUT_MS: int(0, 24 * 3_600_000),
  KEEP_ALIVE_TIMEOUT_MS: int(1, 3_600_000),
});

export interface Config {
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Largest accepted request body (JSON, Arrow, each multipart file), in bytes. */
  bodyLimitBytes: number;
  /** Worker threads computing requests. */
  workers: number;
  /** Requests allowed to wait for a worker beyond the ones running; more → 503. */
  maxQueue: number;
  /** When set, every /v1 route requires `Authorization: Bearer <apiKey>`. */
  apiKey: string | undefined;
  /** How long a SIGTERM waits for in-flight requests before forcing the exit. */
  shutdownTimeoutMs: number;
  /** `Retry-After` (seconds) on 503 responses. */
  retryAfterSeconds: number;
  /** under-pressure: shed load when the event-loop delay exceeds this (0 = off). */
  maxEventLoopDelayMs: number;
  /** under-pressure: shed load when the resident set exceeds this many MiB (0 = off). */
  maxRssMb: number;
  /** Passed through for the jobs store (PostgreSQL when set, SQLite otherwise). */
  databaseUrl: string | undefined;
  dataDir: string;
  jobTtlHours: number;
  /** Work limits of one request (K, N×K, names, nesting, iterations, response, time). */
  limits: Limits;
  /** Time to receive a request's headers (slow-header connections are closed). */
  headersTimeoutMs: number;
  /** Time to receive a whole request (0 = none). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Folder whose files are served at GET /media/<path> (example content); unset: nothing is served. */
  mediaRoot: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Variable → message, e.g. `{ PORT: 'must be <= 65535' }`. */
  readonly variables: Record<string, string>;
  constructor(variables: Record<string, string>) {
    super(
      'invalid configuration: ' +
        Object.entries(variables)
          .map(([k, m]) => `${k} ${m}`)
          .join('; '),
    );
    this.variables = variables;
  }
}

/** Parse and validate the environment. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const variables: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      variables[name] ??= `${issue.message} (got ${JSON.stringify(env[name] ?? null)})`;
    }
    throw new ConfigError(variables);
  }
  const e = parsed.data;
  const workers = e.WORKERS ?? availableParallelism();
  return {
    port: e.PORT ?? 8080,
    host: e.HOST ?? '127.0.0.1',
    logLevel: e.LOG_LEVEL ?? 'info',
    bodyLimitBytes: Math.floor((e.BODY_LIMIT_MB ?? 512) * 1024 * 1024),
    workers,
    maxQueue: e.MAX_QUEUE ?? workers * 4,
    apiKey: e.API_KEY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS ?? 30_000,
    retryAfterSeconds: e.RETRY_AFTER_SECONDS ?? 5,
    maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY_MS ?? 1000,
    maxRssMb: e.MAX_RSS_MB ?? 0,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR ?? './data',
    jobTtlHours: e.JOB_TTL_HOURS ?? 168,
    limits: {
      maxClasses: e.MAX_CLASSES ?? DEFAULT_LIMITS.maxClasses,
      maxCells: e.MAX_CELLS ?? DEFAULT_LIMITS.maxCells,
      maxClassNameLength: e.MAX_CLASS_NAME_LENGTH ?? DEFAULT_LIMITS.maxClassNameLength,
      maxJsonDepth: e.MAX_JSON_DEPTH ?? DEFAULT_LIMITS.maxJsonDepth,
      maxIter: e.MAX_ITER ?? DEFAULT_LIMITS.maxIter,
      maxResponseBytes: e.MAX_RESPONSE_MB !== undefined ? Math.floor(e.MAX_RESPONSE_MB * 1024 * 1024) : DEFAULT_LIMITS.maxResponseBytes,
      computeTimeoutMs: e.COMPUTE_TIMEOUT_MS ?? DEFAULT_LIMITS.computeTimeoutMs,
    },
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS ?? 30_000,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS ?? 1_800_000,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS ?? 5_000,
    mediaRoot: e.MEDIA_ROOT,
  };
}

/** Defaults plus overrides, for tests and embedding (no environment involved). */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), logLevel: 'silent', port: 0, ...overrides };
}
