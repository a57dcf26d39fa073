/**
 * The worker pool as an app dependency: `app.compute`. Threads start with the app; the
 * pool is closed (running tasks finish first) when the app closes, after fastify has
 * stopped accepting connections and drained in-flight requests. A pool passed in by the
 * caller is the caller's to close.
 */
import type { FastifyInstance } from 'fastify';
import { ComputePool } from '../../compute/pool.js';
import type { Limits } from '../../io/limits.js';
import { shared } from '../plugin.js';

declare module 'fastify' {
  interface FastifyInstance {
    compute: ComputePool;
  }
}

export interface ComputePluginOptions extends Record<string, unknown> {
  workers: number;
  maxQueue: number;
  /** Work limits applied in every worker thread. */
  limits?: Limits;
  pool?: ComputePool;
  /** Start the threads with the app (default true; false for tools such as gen-openapi). */
  start?: boolean;
}

async function computePlugin(app: FastifyInstance, opts: ComputePluginOptions): Promise<void> {
  const owned = opts.pool === undefined;
  const pool = opts.pool ?? new ComputePool({ workers: opts.workers, maxQueue: opts.maxQueue, limits: opts.limits });
  app.decorate('compute', pool);
  if (opts.start !== false) {
    pool.start().then(
      () => app.log.debug({ workers: pool.workers }, 'worker pool ready'),
      (err: unknown) => app.log.error({ err }, 'worker pool failed to start'),
    );
  }
  if (owned) {
    app.addHook('onClose', async () => {
      await pool.close();
    });
  }
}

export default shared(computePlugin, 'labelcheck-compute');
