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
  // API_KEYS is parsed by parseApiKeys (its messages must never echo a key).
  API_KEYS: optionalString,
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
  /** API_KEY: one key, named `admin` (sees everything). See `apiKeysOf` for the full set. */
  apiKey: string | undefined;
  /** API_KEYS: named keys (`name:key,…`); each caller sees only what its key created, `admin` sees all. */
  apiKeys: ApiKey[];
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

/** One API key and the name its data and log lines are filed under. */
export interface ApiKey {
  name: string;
  key: string;
}

/** The key name that sees and manages everything (also the name of API_KEY). */
export const ADMIN_KEY_NAME = 'admin';

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Parse API_KEYS (`name:key,name:key`; blanks around entries are ignored), checked against
 * API_KEY (the key named `admin`). Returns API_KEYS's keys, or a message for the first
 * problem. Messages name entries by position and name, never by key.
 */
export function parseApiKeys(apiKeys: string | undefined, apiKey: string | undefined): ApiKey[] | string {
  const out: ApiKey[] = apiKey === undefined ? [] : [{ name: ADMIN_KEY_NAME, key: apiKey }];
  if (apiKeys === undefined) return [];
  const entries = apiKeys.split(',');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!.trim();
    const where = `entry ${i + 1}`;
    if (entry === '') return `${where} is empty; write name:key pairs separated by commas`;
    const colon = entry.indexOf(':');
    if (colon < 0) return `${where} has no ':'; write name:key pairs separated by commas`;
    const name = entry.slice(0, colon).trim();
    const key = entry.slice(colon + 1).trim();
    if (name === '') return `${where} has an empty name; write name:key`;
    if (!KEY_NAME.test(name)) {
      return `${where} has an invalid name ${JSON.stringify(name)}: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`;
    }
    if (key === '') return `${where} (${name}) has an empty key`;
    if (/\s/.test(key)) return `${where} (${name}): the key contains whitespace, which a bearer token cannot carry`;
    const sameName = out.find((k) => k.name === name);
    if (sameName) {
      return apiKey !== undefined && name === ADMIN_KEY_NAME
        ? `${where} is named admin, but API_KEY already is the key named admin; set one of them`
        : `${where}: the name ${name} is used twice; each name has one key`;
    }
    const sameKey = out.find((k) => k.key === key);
    if (sameKey) {
      return `${where} (${name}) has the same key as ${sameKey.name}${sameKey === out[0] && apiKey !== undefined ? ' (API_KEY)' : ''}; every key must be different`;
    }
    out.push({ name, key });
  }
  return apiKey === undefined ? out : out.slice(1);
}

/** Every key the server accepts: API_KEY (named admin) and API_KEYS. Empty: no auth (single-user mode). */
export function apiKeysOf(config: Pick<Config, 'apiKey' | 'apiKeys'>): ApiKey[] {
  return [...(config.apiKey === undefined ? [] : [{ name: ADMIN_KEY_NAME, key: config.apiKey }]), ...config.apiKeys];
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
  const variables: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      variables[name] ??= `${issue.message} (got ${JSON.stringify(env[name] ?? null)})`;
    }
  }
  const keys = parseApiKeys(blankToUndefined(env.API_KEYS) as string | undefined, blankToUndefined(env.API_KEY) as string | undefined);
  if (typeof keys === 'string') variables.API_KEYS = keys;
  if (!parsed.success || typeof keys === 'string') throw new ConfigError(variables);
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
    apiKeys: keys,
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
