/**
 * Prometheus metrics at GET /metrics (prom-client, one registry per app): process
 * defaults, HTTP request durations by route and status, computation durations by
 * endpoint, the N (examples) and K (classes) of computed requests, worker-pool queue
 * depth / in-flight / size, and requests refused for load.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { shared } from '../plugin.js';

/** Buckets of the duration histograms (seconds): 1 ms to 2 minutes. */
const DURATION_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  computeDuration: Histogram<'endpoint'>;
  examples: Histogram<'endpoint'>;
  classes: Histogram<'endpoint'>;
  rejected: Counter<'reason'>;
  /** Record one finished computation. */
  observeComputation(endpoint: string, seconds: number, n: number, k: number): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

export function createMetrics(app: FastifyInstance): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'labelcheck_' });
  const registers = [registry];
  const httpDuration = new Histogram({
    name: 'labelcheck_http_request_duration_seconds',
    help: 'HTTP request duration from arrival to response, by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: DURATION_BUCKETS_S,
    registers,
  });
  const computeDuration = new Histogram({
    name: 'labelcheck_computation_duration_seconds',
    help: 'Time a worker spent computing a request (decode, validate, compute, serialise), by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: DURATION_BUCKETS_S,
    registers,
  });
  const examples = new Histogram({
    name: 'labelcheck_request_examples',
    help: 'Number of examples (N) per computed request, by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: [10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000],
    registers,
  });
  const classes = new Histogram({
    name: 'labelcheck_request_classes',
    help: 'Number of classes (K) per computed request, by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: [2, 3, 5, 10, 20, 50, 100, 200, 500, 1_000, 10_000],
    registers,
  });
  const rejected = new Counter({
    name: 'labelcheck_requests_rejected_total',
    help: 'Requests refused with 503 for load (pool full, pool unavailable, under pressure).',
    labelNames: ['reason'] as const,
    registers,
  });
  new Gauge({
    name: 'labelcheck_pool_queue_depth',
    help: 'Requests waiting for a worker thread.',
    registers,
    collect() {
      this.set(app.compute.queueDepth);
    },
  });
  new Gauge({
    name: 'labelcheck_pool_in_flight',
    help: 'Requests running in or waiting for a worker thread.',
    registers,
    collect() {
      this.set(app.compute.inFlight);
    },
  });
  new Gauge({
    name: 'labelcheck_pool_workers',
    help: 'Worker threads alive in the compute pool.',
    registers,
    collect() {
      this.set(app.compute.threads);
    },
  });
  new Gauge({
    name: 'labelcheck_pool_capacity',
    help: 'Requests the pool admits at once (workers + MAX_QUEUE); more are refused with 503.',
    registers,
    collect() {
      this.set(app.compute.capacity);
    },
  });
  return {
    registry,
    httpDuration,
    computeDuration,
    examples,
    classes,
    rejected,
    observeComputation(endpoint, seconds, n, k) {
      computeDuration.observe({ endpoint }, seconds);
      if (n > 0) examples.observe({ endpoint }, n);
      if (k > 0) classes.observe({ endpoint }, k);
    },
  };
}

const REJECT_REASONS: Record<string, string> = {
  LC_POOL_BUSY: 'pool_full',
  LC_POOL_UNAVAILABLE: 'pool_unavailable',
  FST_UNDER_PRESSURE: 'under_pressure',
};

async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const metrics = createMetrics(app);
  app.decorate('metrics', metrics);

  app.addHook('onError', async (_request, _reply, err) => {
    const reason = REJECT_REASONS[(err as { code?: string }).code ?? ''];
    if (reason) metrics.rejected.inc({ reason });
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        // The route pattern, never the raw URL: bounded label cardinality.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description:
          'Prometheus text format: request durations, computation durations by endpoint, N and K histograms, worker-pool queue depth.',
        tags: ['operations'],
        response: { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    },
  );
}

export default shared(metricsPlugin, 'labelcheck-metrics');
