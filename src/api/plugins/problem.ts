/**
 * RFC 9457 problem details for every error the service returns: the service's InputError
 * (400, with `errors[]` naming field and row/column), schema validation, auth (401),
 * unknown routes (404), known path with another method (405 + Allow), body limits (413),
 * content types (415), load shedding / full pool (503 + Retry-After) and unexpected
 * failures (500, logged, no internals leaked). fastify's own errors
 * (FST_ERR_CTP_BODY_TOO_LARGE, FST_ERR_CTP_INVALID_MEDIA_TYPE, …) included.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isInputError, type InputIssue } from '../../core/errors.js';
import { inputErrorProblem, problemType, PROBLEM_CONTENT_TYPE, type Problem as ServiceProblem } from '../../service/problem.js';
import { shared } from '../plugin.js';
import { ACCEPTED_MEDIA_TYPES } from '../errors.js';

/** The service's problem body (src/service/problem.ts) plus the request id over HTTP. */
export interface Problem extends ServiceProblem {
  request_id?: string;
}

export { PROBLEM_CONTENT_TYPE };

/** Problem `type` URIs for the problems specific to this API; others are about:blank. */
export const PROBLEM_TYPES = {
  invalidInput: problemType('invalid-input'),
  unauthorized: problemType('unauthorized'),
  payloadTooLarge: problemType('payload-too-large'),
  unsupportedMediaType: problemType('unsupported-media-type'),
  overloaded: problemType('overloaded'),
  notReady: problemType('not-ready'),
} as const;

const TITLES: Record<string, string> = {
  [PROBLEM_TYPES.invalidInput]: 'Invalid input',
  [PROBLEM_TYPES.unauthorized]: 'Unauthorized',
  [PROBLEM_TYPES.payloadTooLarge]: 'Payload too large',
  [PROBLEM_TYPES.unsupportedMediaType]: 'Unsupported media type',
  [PROBLEM_TYPES.overloaded]: 'Service overloaded',
  [PROBLEM_TYPES.notReady]: 'Service not ready',
};

export interface ProblemOptions {
  type?: string;
  errors?: InputIssue[];
  headers?: Record<string, string | number>;
  extensions?: Record<string, unknown>;
}

export function makeProblem(status: number, detail: string, request: FastifyRequest | undefined, opts: ProblemOptions = {}): Problem {
  const type = opts.type ?? 'about:blank';
  const problem: Problem = {
    type,
    title: TITLES[type] ?? STATUS_CODES[status] ?? 'Error',
    status,
    detail,
  };
  if (request) {
    problem.instance = request.url.split('?')[0];
    problem.request_id = request.id;
  }
  if (opts.errors && opts.errors.length > 0) problem.errors = opts.errors;
  if (opts.extensions) Object.assign(problem, opts.extensions);
  return problem;
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

/** Map any thrown value to a problem. Exported for tests and for other transports. */
export function problemFromError(err: unknown, request: FastifyRequest | undefined, opts: ProblemPluginOptions): Mapped {
  const headers: Record<string, string | number> = {};
  if (isInputError(err)) {
    // The same body the CLI prints (src/service/problem.ts), plus the request id.
    const problem: Problem = inputErrorProblem(err, request?.url.split('?')[0]);
    if (request) problem.request_id = request.id;
    return { problem, headers, unexpected: false };
  }
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as Partial<FastifyError> & {
    part?: { fieldname?: string };
    validationContext?: string;
  };
  const code = e.code ?? '';
  const message = e.message ?? 'Error';

  if (Array.isArray(e.validation)) {
    const context = e.validationContext ?? 'body';
    const errors: InputIssue[] = e.validation.map((v) => {
      const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      return { path: path || context, message: `${path || context}: ${v.message ?? 'is invalid'}` };
    });
    return {
      problem: makeProblem(400, errors[0]?.message ?? message, request, { type: PROBLEM_TYPES.invalidInput, errors }),
      headers,
      unexpected: false,
    };
  }

  switch (code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'LC_UNSUPPORTED_MEDIA_TYPE': {
      const ct = request?.headers['content-type'];
      const detail =
        code === 'LC_UNSUPPORTED_MEDIA_TYPE'
          ? message
          : `Unsupported content type ${ct ? JSON.stringify(ct) : '(none)'}; send one of ${ACCEPTED_MEDIA_TYPES.join(', ')}`;
      return {
        problem: makeProblem(415, detail, request, {
          type: PROBLEM_TYPES.unsupportedMediaType,
          errors: [{ path: 'content-type', message: detail }],
        }),
        headers,
        unexpected: false,
      };
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'LC_MULTIPART_TOO_LARGE': {
      const field = e.part?.fieldname;
      let detail: string;
      if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        detail = `The request body exceeds the limit of ${mib(opts.bodyLimitBytes)} (BODY_LIMIT_MB)`;
      } else if (code === 'FST_REQ_FILE_TOO_LARGE') {
        detail = `The multipart file part${field ? ` '${field}'` : ''} exceeds the limit of ${mib(opts.bodyLimitBytes)} (BODY_LIMIT_MB)`;
      } else if (code === 'LC_MULTIPART_TOO_LARGE') {
        detail = message;
      } else {
        detail = `Too many multipart parts (${message})`;
      }
      return {
        problem: makeProblem(413, detail, request, {
          type: PROBLEM_TYPES.payloadTooLarge,
          errors: [{ path: field ?? 'body', message: detail }],
        }),
        headers,
        unexpected: false,
      };
    }
    case 'FST_INVALID_JSON_FIELD_ERROR': {
      const detail = "The multipart text part 'options' is declared application/json but is not valid JSON";
      return {
        problem: makeProblem(400, detail, request, { type: PROBLEM_TYPES.invalidInput, errors: [{ path: 'options', message: detail }] }),
        headers,
        unexpected: false,
      };
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_PROTO_VIOLATION':
    case 'FST_MP_PREMATURE_CLOSE':
    case 'LC_TRUNCATED_BODY':
    case 'LC_MALFORMED_MULTIPART': {
      return {
        problem: makeProblem(400, message, request, { type: PROBLEM_TYPES.invalidInput, errors: [{ path: 'body', message }] }),
        headers,
        unexpected: false,
      };
    }
    case 'LC_UNAUTHORIZED':
      headers['www-authenticate'] = 'Bearer realm="labelcheck"';
      return {
        problem: makeProblem(401, message, request, { type: PROBLEM_TYPES.unauthorized }),
        headers,
        unexpected: false,
      };
    case 'FST_UNDER_PRESSURE':
    case 'LC_POOL_BUSY':
    case 'LC_POOL_UNAVAILABLE': {
      headers['retry-after'] = opts.retryAfterSeconds;
      const detail =
        code === 'FST_UNDER_PRESSURE'
          ? 'The service is under pressure (event-loop delay or memory above its limit); retry later'
          : message;
      return { problem: makeProblem(503, detail, request, { type: PROBLEM_TYPES.overloaded }), headers, unexpected: false };
    }
  }

  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    if (status === 429) headers['retry-after'] = opts.retryAfterSeconds;
    return { problem: makeProblem(status, message, request), headers, unexpected: false };
  }
  if (status === 503) headers['retry-after'] = opts.retryAfterSeconds;
  const detail = `The server failed to process the request${request ? ` (request id ${request.id})` : ''}`;
  return { problem: makeProblem(status >= 500 && status < 600 ? status : 500, detail, request), headers, unexpected: true };
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
      return sendProblem(reply, makeProblem(405, detail, request), { allow: allowed.join(', ') });
    }
    return sendProblem(reply, makeProblem(404, `No route ${request.method} ${path}`, request));
  });
}

export default shared(problemPlugin, 'labelcheck-problem');
