/**
 * The Fastify application: `buildApp(config, deps)`. One concern per plugin:
 *
 *   problem        RFC 9457 errors, 404/405                 (root, first: sees every route)
 *   request-id     x-request-id in and out
 *   graceful-close Connection: close on responses once closing
 *   docs           OpenAPI 3.1 (GET /openapi.json), Swagger UI (GET /docs)
 *   compute        the worker pool (app.compute)
 *   metrics        prom-client, GET /metrics
 *   health         GET /healthz, GET /readyz
 *   /v1 scope      v1-scope (auth, load shedding, zod compilers, body parsers: once)
 *                  → routes/v1 (compute routes) + the extra /v1 plugins (jobs routes)
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import { apiKeysOf, type Config } from '../config.js';
import { getTfBackend, type TfBackend } from '../backend.js';
import type { ComputePool } from '../compute/pool.js';
import { setLimits } from '../io/limits.js';
import { ENDPOINTS } from '../service/index.js';
import type { EndpointSpec } from '../service/types.js';
import compute from './plugins/compute.js';
import docs from './plugins/docs.js';
import gracefulClose from './plugins/graceful-close.js';
import health from './plugins/health.js';
import metrics from './plugins/metrics.js';
import problem from './plugins/problem.js';
import requestId, { genReqId } from './plugins/request-id.js';
import v1Scope from './plugins/v1-scope.js';
import v1Routes from './routes/v1.js';
import { packageVersion } from './version.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

export interface AppDeps {
  /** Use this pool instead of creating one (the caller closes it). */
  pool?: ComputePool;
  /** Start the worker threads with the app (default true). */
  startPool?: boolean;
  /** Resolve the tfjs backend (default: getTfBackend, cached per process). */
  backend?: () => Promise<TfBackend>;
  /** A pino logger instance, or fastify `logger` options (default: pino at config.logLevel). */
  logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'];
  /** Endpoints to expose (default: the service's ENDPOINTS). */
  endpoints?: readonly EndpointSpec[];
  /** Extra plugins registered in the /v1 scope (e.g. the jobs routes), sharing its auth, load shedding, compilers and parsers. */
  v1Plugins?: FastifyPluginAsync[];
  /** Extra plugins outside /v1 (no API key), e.g. the browser pages (src/web). */
  rootPlugins?: FastifyPluginAsync[];
}

function loggerOptions(config: Config, deps: AppDeps): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  const given = deps.logger;
  if (given && typeof given === 'object' && 'child' in given && typeof given.child === 'function') {
    return { loggerInstance: given as FastifyServerOptions['loggerInstance'] };
  }
  if (given !== undefined) return { logger: given as FastifyServerOptions['logger'] };
  return {
    logger: {
      level: config.logLevel,
      // Requests are logged as method/url/ids by fastify's serializers; never bodies.
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
  };
}

export function buildApp(config: Config, deps: AppDeps = {}): FastifyInstance {
  const endpoints = deps.endpoints ?? ENDPOINTS;
  const version = packageVersion();
  const app = Fastify({
    ...loggerOptions(config, deps),
    genReqId,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Slow or stalled clients: a whole request must arrive within REQUEST_TIMEOUT_MS and an
    // idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS (the headers timeout
    // is set on the server below; Node leaves it at 0 when requestTimeout is 0).
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
  });
  app.server.headersTimeout =
    config.requestTimeoutMs > 0 ? Math.min(config.headersTimeoutMs, config.requestTimeoutMs) : config.headersTimeoutMs;
  // The limits of this thread (JSON options parsed here); the workers get them from the pool.
  setLimits(config.limits);
  app.decorate('config', config);

  app.register(problem, { bodyLimitBytes: config.bodyLimitBytes, retryAfterSeconds: config.retryAfterSeconds });
  app.register(requestId);
  app.register(gracefulClose);
  // swagger collects routes as they are added: register it before any documented route.
  app.register(docs, { endpoints, version });
  app.register(compute, { workers: config.workers, maxQueue: config.maxQueue, limits: config.limits, pool: deps.pool, start: deps.startPool });
  app.register(metrics);
  app.register(health, {
    backend: deps.backend ?? getTfBackend,
    retryAfterSeconds: config.retryAfterSeconds,
    version,
  });
  for (const plugin of deps.rootPlugins ?? []) app.register(plugin);
  app.register(async (v1) => {
    await v1.register(v1Scope, {
      keys: apiKeysOf(config),
      retryAfterSeconds: config.retryAfterSeconds,
      maxEventLoopDelayMs: config.maxEventLoopDelayMs,
      maxRssMb: config.maxRssMb,
      bodyLimitBytes: config.bodyLimitBytes,
    });
    await v1.register(v1Routes, { endpoints, bodyLimitBytes: config.bodyLimitBytes });
    for (const plugin of deps.v1Plugins ?? []) await v1.register(plugin);
  });
  return app;
}
