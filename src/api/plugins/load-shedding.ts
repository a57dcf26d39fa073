/**
 * Load shedding for the compute routes (registered in the /v1 scope only, so /healthz,
 * /readyz and /metrics keep answering under load):
 * - admission: when the worker pool already holds `workers + MAX_QUEUE` requests, the
 *   next one is refused with 503 + Retry-After before its body is read;
 * - @fastify/under-pressure: 503 + Retry-After while the event-loop delay or the resident
 *   set exceeds its configured limit (MAX_EVENT_LOOP_DELAY_MS, MAX_RSS_MB).
 * Both errors become problem+json in the problem plugin.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { PoolBusyError, PoolUnavailableError } from '../../compute/pool.js';
import { shared } from '../plugin.js';

export interface LoadSheddingOptions extends Record<string, unknown> {
  retryAfterSeconds: number;
  maxEventLoopDelayMs: number;
  maxRssMb: number;
}

async function loadSheddingPlugin(app: FastifyInstance, opts: LoadSheddingOptions): Promise<void> {
  app.addHook('onRequest', async () => {
    const pool = app.compute;
    if (pool.state === 'failed' || pool.state === 'closing' || pool.state === 'closed') {
      throw new PoolUnavailableError(pool.state);
    }
    if (pool.saturated) throw new PoolBusyError(pool.inFlight, pool.capacity);
  });
  await app.register(underPressure, {
    maxEventLoopDelay: opts.maxEventLoopDelayMs,
    maxRssBytes: opts.maxRssMb * 1024 * 1024,
    retryAfter: opts.retryAfterSeconds,
    // No status route: it would carry a non-zod schema into the zod-compiled scope.
    exposeStatusRoute: false,
  });
}

export default shared(loadSheddingPlugin, 'labelcheck-load-shedding');
