/**
 * Liveness and readiness.
 * - GET /healthz: the process answers (never waits on a computation: those run in
 *   worker threads, and this handler does no work).
 * - GET /readyz: 200 once the worker pool has loaded the service and the tfjs backend is
 *   chosen (naming it); 503 problem while starting, after a failed start, or while
 *   shutting down.
 */
import type { FastifyInstance } from 'fastify';
import type { TfBackend } from '../../backend.js';
import { shared } from '../plugin.js';
import { makeProblem } from '../../service/problem.js';
import { requestContext, sendProblem } from './problem.js';

export interface HealthOptions extends Record<string, unknown> {
  backend: () => Promise<TfBackend>;
  retryAfterSeconds: number;
  version: string;
}

const okSchema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] } },
  required: ['status'],
} as const;

const readySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready'] },
    version: { type: 'string' },
    tfjs_backend: { type: 'string', description: 'Active tfjs backend: `tensorflow` (tfjs-node) or `cpu`.' },
    tfjs_package: { type: 'string' },
    workers: { type: 'integer' },
    max_queue: { type: 'integer' },
  },
  required: ['status', 'tfjs_backend', 'tfjs_package', 'workers'],
} as const;

async function healthPlugin(app: FastifyInstance, opts: HealthOptions): Promise<void> {
  let backend: TfBackend | undefined;
  let backendError: Error | undefined;
  const backendPromise = opts.backend().then(
    (b) => {
      backend = b;
      return b;
    },
    (err: unknown) => {
      backendError = err instanceof Error ? err : new Error(String(err));
      app.log.error({ err }, 'tfjs backend failed to load');
      return undefined;
    },
  );
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness',
        description: 'Answers as long as the process runs; computations never block it.',
        tags: ['operations'],
        response: { 200: okSchema },
      },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness',
        description:
          'Ready once the worker pool is up and the tfjs backend is chosen; 503 problem while starting or shutting down.',
        tags: ['operations'],
        response: { 200: readySchema },
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      const pool = app.compute;
      // The backend import resolves once, in well under a second; wait for it briefly.
      if (!backend && !backendError) await Promise.race([backendPromise, new Promise((r) => setTimeout(r, 2000))]);
      let reason: string | undefined;
      if (closing || pool.state === 'closing' || pool.state === 'closed') reason = 'the service is shutting down';
      else if (pool.state === 'failed') reason = `the worker pool failed to start: ${pool.startError?.message ?? 'unknown error'}`;
      else if (pool.state !== 'ready') reason = 'the worker pool is starting';
      else if (backendError) reason = `the tfjs backend failed to load: ${backendError.message}`;
      else if (!backend) reason = 'the tfjs backend is loading';
      if (reason !== undefined || !backend) {
        const problem = makeProblem(503, reason ?? 'not ready', {
          ...requestContext(request),
          slug: 'not-ready',
          extensions: { pool_state: pool.state, tfjs_backend: backend?.backend ?? null },
        });
        return sendProblem(reply, problem, { 'retry-after': opts.retryAfterSeconds });
      }
      return {
        status: 'ready',
        version: opts.version,
        tfjs_backend: backend.backend,
        tfjs_package: backend.package,
        workers: pool.workers,
        max_queue: pool.maxQueue,
      };
    },
  );
}

export default shared(healthPlugin, 'labelcheck-health');
