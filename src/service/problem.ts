/**
 * The one error style of labelcheck:
 *
 * - `InputError` (src/core/errors.ts): bad data or options, raised by core, io and service;
 *   always a 400 naming the field and the first bad row/column.
 * - The table below: every other error a caller can see, one `@fastify/error` class each
 *   (fastify's own style: a code, a status, a message template), with the problem `type`
 *   slug and title it is answered with. Any layer may throw them (api, compute, jobs).
 * - `makeProblem`: the one builder of RFC 9457 problem bodies, used by the HTTP error
 *   handler (src/api/plugins/problem.ts, the one mapper of thrown values to problems), the
 *   readiness route, the CLI and the job runner (a failed job stores its problem).
 */
import { STATUS_CODES } from 'node:http';
import createError from '@fastify/error';
import type { InputError, InputIssue } from '../core/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  request_id?: string;
  errors?: InputIssue[];
  [extra: string]: unknown;
}

export { PROBLEM_CONTENT_TYPE } from '../schemas/common.js';

export function problemType(slug: string): string {
  return `urn:labelcheck:problem:${slug}`;
}

/** Problem slugs with their titles (others are `about:blank` with the HTTP status text). */
export const PROBLEM_TITLES = {
  'invalid-input': 'Invalid input',
  unauthorized: 'Unauthorized',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  overloaded: 'Service overloaded',
  'not-ready': 'Service not ready',
  'not-found': 'Not Found',
  'insufficient-storage': 'Insufficient storage',
  'upload-complete': 'Conflict',
  'upload-completing': 'Conflict',
  'result-not-ready': 'Conflict',
  'idempotency-key-reused': 'Unprocessable Content',
  'jobs-unavailable': 'Service Unavailable',
  internal: 'Internal error',
  'job-failed': 'Job failed',
} as const;
export type ProblemSlug = keyof typeof PROBLEM_TITLES;

export interface ProblemOptions {
  /** A slug of PROBLEM_TITLES (→ its `urn:labelcheck:problem:` type and title); default about:blank. */
  slug?: ProblemSlug;
  instance?: string;
  requestId?: string;
  errors?: InputIssue[];
  /** Extension members (e.g. the readiness route's pool state). */
  extensions?: Record<string, unknown>;
}

/** The one builder of problem bodies. */
export function makeProblem(status: number, detail: string, opts: ProblemOptions = {}): Problem {
  const problem: Problem = {
    type: opts.slug ? problemType(opts.slug) : 'about:blank',
    title: opts.slug ? PROBLEM_TITLES[opts.slug] : (STATUS_CODES[status] ?? 'Error'),
    status,
    detail,
  };
  if (opts.instance !== undefined) problem.instance = opts.instance;
  if (opts.requestId !== undefined) problem.request_id = opts.requestId;
  if (opts.errors && opts.errors.length > 0) problem.errors = opts.errors;
  if (opts.extensions) Object.assign(problem, opts.extensions);
  return problem;
}

/** 400: the request's data or options are invalid (the same body over HTTP, CLI and jobs). */
export function inputErrorProblem(err: InputError, where: Pick<ProblemOptions, 'instance' | 'requestId'> = {}): Problem {
  return makeProblem(400, err.message, { slug: 'invalid-input', ...where, errors: err.issues });
}

// ---------------------------------------------------------------------------------------
// The HTTP-facing errors: code → status, problem slug. Message templates take %s arguments.

interface ErrorSpec {
  status: number;
  slug: ProblemSlug;
  message: string;
}

export const ERROR_TABLE = {
  LC_UNAUTHORIZED: { status: 401, slug: 'unauthorized', message: 'Missing or invalid API key: send the header Authorization: Bearer <API_KEY>' },
  LC_UNSUPPORTED_MEDIA_TYPE: { status: 415, slug: 'unsupported-media-type', message: 'Unsupported content type %s; send %s' },
  LC_MALFORMED_MULTIPART: { status: 400, slug: 'invalid-input', message: 'Malformed multipart/form-data body: %s' },
  LC_TRUNCATED_BODY: { status: 400, slug: 'invalid-input', message: 'the request body ended before the data was complete' },
  LC_PAYLOAD_TOO_LARGE: { status: 413, slug: 'payload-too-large', message: '%s' },
  LC_POOL_BUSY: { status: 503, slug: 'overloaded', message: 'all workers are busy and the queue is full (%s of %s requests in flight); retry later' },
  LC_POOL_UNAVAILABLE: { status: 503, slug: 'overloaded', message: 'the worker pool is %s; retry later' },
  LC_NOT_FOUND: { status: 404, slug: 'not-found', message: '%s' },
  LC_UPLOAD_COMPLETE: { status: 409, slug: 'upload-complete', message: 'Upload %s is already complete; create a new upload to send another file' },
  LC_UPLOAD_COMPLETING: { status: 409, slug: 'upload-completing', message: 'Upload %s is being completed by another request; retry in a moment to get the result' },
  LC_RESULT_NOT_READY: { status: 409, slug: 'result-not-ready', message: '%s' },
  LC_IDEMPOTENCY_KEY_REUSED: { status: 422, slug: 'idempotency-key-reused', message: '%s' },
  LC_INSUFFICIENT_STORAGE: { status: 507, slug: 'insufficient-storage', message: '%s' },
  LC_JOBS_UNAVAILABLE: { status: 503, slug: 'jobs-unavailable', message: 'The job store is not open in this process' },
} as const satisfies Record<string, ErrorSpec>;
export type ErrorCode = keyof typeof ERROR_TABLE;

function define<C extends ErrorCode>(code: C) {
  const spec = ERROR_TABLE[code];
  return createError(code, spec.message, spec.status);
}

export const UnauthorizedError = define('LC_UNAUTHORIZED');
export const UnsupportedMediaTypeError = define('LC_UNSUPPORTED_MEDIA_TYPE');
export const MalformedMultipartError = define('LC_MALFORMED_MULTIPART');
export const TruncatedBodyError = define('LC_TRUNCATED_BODY');
export const PayloadTooLargeError = define('LC_PAYLOAD_TOO_LARGE');
export const PoolBusyError = define('LC_POOL_BUSY');
export const PoolUnavailableError = define('LC_POOL_UNAVAILABLE');
export const NotFoundError = define('LC_NOT_FOUND');
export const UploadCompleteError = define('LC_UPLOAD_COMPLETE');
export const UploadCompletingError = define('LC_UPLOAD_COMPLETING');
export const ResultNotReadyError = define('LC_RESULT_NOT_READY');
export const IdempotencyKeyReusedError = define('LC_IDEMPOTENCY_KEY_REUSED');
export const InsufficientStorageError = define('LC_INSUFFICIENT_STORAGE');
export const JobsUnavailableError = define('LC_JOBS_UNAVAILABLE');

/** The table entry of a thrown value with one of our codes, else undefined. */
export function errorSpecOf(err: unknown): ErrorSpec | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(ERROR_TABLE, code) ? ERROR_TABLE[code as ErrorCode] : undefined;
}

/** Extra response headers an error asks for (e.g. Retry-After on a result not ready yet). */
export function withHeaders<E extends Error>(err: E, headers: Record<string, string | number>): E & { headers: Record<string, string | number> } {
  return Object.assign(err, { headers });
}
