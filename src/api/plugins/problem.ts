/**
 * RFC 9457 problem details for every error the service returns: the service's InputError
 * (400, with `errors[]` naming field and row/column), schema validation, auth (401),
 * unknown routes (404), known path with another method (405 + Allow), body limits (413),
 * content types (415), load shedding / full pool (503 + Retry-After) and unexpected
 * failures (500, logged, no internals leaked). fastify's own errors
 * (FST_ERR_CTP_BODY_TOO_LARGE, FST_ERR_CTP_INVALID_MEDIA_TYPE, …) included.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isInputError, type InputIssue } from '../../core/errors.js';
import {
  errorSpecOf,
  inputErrorProblem,
  makeProblem,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  type ProblemOptions,
} from '../../service/problem.js';
import { ACCEPTED_MEDIA_TYPES } from '../ingest.js';
import { shared } from '../plugin.js';

/** Where a problem happened: the request's path and id. */
export function requestContext(request: FastifyRequest | undefined): Pick<ProblemOptions, 'instance' | 'requestId'> {
  return request ? { instance: request.url.split('?')[0], requestId: request.id } : {};
}

export function sendProblem(reply: FastifyReply, problem: Problem, headers: Record<string, string | number> = {}): FastifyReply {
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

export interface ProblemPluginOptions extends Record<string, unknown> {
  bodyLimitBytes: number;
  retryAfterSeconds: number;
}

interface Mapped {
  problem: Problem;
  headers: Record<string, string | number>;
  /** 5xx other than deliberate 503s: log as error. */
  unexpected: boolean;
}

function mib(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return `${Number.isInteger(m) ? m : m.toFixed(2)} MiB`;
}

/** fastify's and @fastify/multipart's own error codes, by the problem they are. */
const FASTIFY_CODES: Record<string, 'media' | 'large' | 'body'> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'media',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'media',
  FST_ERR_CTP_BODY_TOO_LARGE: 'large',
  FST_REQ_FILE_TOO_LARGE: 'large',
  FST_PARTS_LIMIT: 'large',
  FST_FILES_LIMIT: 'large',
  FST_FIELDS_LIMIT: 'large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'body',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'body',
  FST_PROTO_VIOLATION: 'body',
  FST_MP_PREMATURE_CLOSE: 'body',
};

/**
 * The one mapper of thrown values to problems: InputError, schema validation, the error
 * table of src/service/problem.ts, fastify's own errors, anything else (500).
 */
export function problemFromError(err: unknown, request: FastifyRequest | undefined, opts: ProblemPluginOptions): Mapped {
  const where = requestContext(request);
  const headers: Record<string, string | number> = {};
  if (isInputError(err)) return { problem: inputErrorProblem(err, where), headers, unexpected: false };
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as Partial<FastifyError> & {
    part?: { fieldname?: string };
    validationContext?: string;
    headers?: Record<string, string | number>;
  };
  const code = e.code ?? '';
  const message = e.message ?? 'Error';
  const done = (status: number, detail: string, o: ProblemOptions = {}): Mapped => {
    if (status === 401) headers['www-authenticate'] = 'Bearer realm="labelcheck"';
    if (status === 503 || status === 429) headers['retry-after'] = opts.retryAfterSeconds;
    Object.assign(headers, e.headers);
    return { problem: makeProblem(status, detail, { ...where, ...o }), headers, unexpected: false };
  };

  if (Array.isArray(e.validation)) {
    const context = e.validationContext ?? 'body';
    const errors: InputIssue[] = e.validation.map((v) => {
      const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      return { path: path || context, message: `${path || context}: ${v.message ?? 'is invalid'}` };
    });
    return done(400, errors[0]?.message ?? message, { slug: 'invalid-input', errors });
  }
  if (code === 'FST_INVALID_JSON_FIELD_ERROR') {
    const detail = "The multipart text part 'options' is declared application/json but is not valid JSON";
    return done(400, detail, { slug: 'invalid-input', errors: [{ path: 'options', message: detail }] });
  }
  if (code === 'FST_UNDER_PRESSURE') {
    return done(503, 'The service is under pressure (event-loop delay or memory above its limit); retry later', { slug: 'overloaded' });
  }

  const spec = errorSpecOf(err);
  const kind = FASTIFY_CODES[code];
  if (kind === 'media' || spec?.slug === 'unsupported-media-type') {
    const ct = request?.headers['content-type'];
    const detail = spec ? message : `Unsupported content type ${ct ? JSON.stringify(ct) : '(none)'}; send one of ${ACCEPTED_MEDIA_TYPES.join(', ')}`;
    return done(415, detail, { slug: 'unsupported-media-type', errors: [{ path: 'content-type', message: detail }] });
  }
  if (kind === 'large' || spec?.slug === 'payload-too-large') {
    const field = e.part?.fieldname;
    let detail = message;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') detail = `The request body exceeds the limit of ${mib(opts.bodyLimitBytes)} (BODY_LIMIT_MB)`;
    else if (code === 'FST_REQ_FILE_TOO_LARGE') {
      detail = `The multipart file part${field ? ` '${field}'` : ''} exceeds the limit of ${mib(opts.bodyLimitBytes)} (BODY_LIMIT_MB)`;
    } else if (!spec) detail = `Too many multipart parts (${message})`;
    return done(413, detail, { slug: 'payload-too-large', errors: [{ path: field ?? 'body', message: detail }] });
  }
  if (kind === 'body' || spec?.slug === 'invalid-input') {
    return done(400, message, { slug: 'invalid-input', errors: [{ path: 'body', message }] });
  }
  if (spec) return done(spec.status, message, { slug: spec.slug });

  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) return done(status, message);
  const detail = `The server failed to process the request${request ? ` (request id ${request.id})` : ''}`;
  const mapped = done(status >= 500 && status < 600 ? status : 500, detail);
  if (status !== 503) delete headers['retry-after'];
  return { ...mapped, unexpected: true };
}

/** Registered routes, for telling 405 (known path, other method) from 404. */
class RouteTable {
  #routes: { pattern: RegExp; methods: Set<string> }[] = [];
  #byUrl = new Map<string, Set<string>>();

  add(url: string, methods: string | string[]): void {
    let set = this.#byUrl.get(url);
    if (!set) {
      set = new Set();
      this.#byUrl.set(url, set);
      const source = url
        .split('/')
        .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      this.#routes.push({ pattern: new RegExp(`^${source}/?$`), methods: set });
    }
    for (const m of Array.isArray(methods) ? methods : [methods]) {
      set.add(m);
      if (m === 'GET') set.add('HEAD');
    }
  }

  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const r of this.#routes) if (r.pattern.test(path)) for (const m of r.methods) out.add(m);
    return [...out].sort();
  }
}

async function problemPlugin(app: FastifyInstance, opts: ProblemPluginOptions): Promise<void> {
  const table = new RouteTable();
  app.addHook('onRoute', (route) => table.add(route.url, route.method as string | string[]));

  app.setErrorHandler((err, request, reply) => {
    const mapped = problemFromError(err, request, opts);
    if (mapped.unexpected) {
      request.log.error({ err }, 'request failed');
    } else {
      // Field paths only: a detail can quote input values (no data in logs).
      const fields = mapped.problem.errors?.map((e) => e.path);
      request.log.info({ status: mapped.problem.status, problem: mapped.problem.type, fields }, 'request rejected');
    }
    return sendProblem(reply, mapped.problem, mapped.headers);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = table.allowed(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      const detail = `Method ${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`;
      return sendProblem(reply, makeProblem(405, detail, requestContext(request)), { allow: allowed.join(', ') });
    }
    return sendProblem(reply, makeProblem(404, `No route ${request.method} ${path}`, requestContext(request)));
  });
}

export default shared(problemPlugin, 'labelcheck-problem');
