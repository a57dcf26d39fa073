/**
 * Jobs metrics (prom-client), added to the server's GET /metrics by the jobs plugin and
 * served by `labelcheck worker` on METRICS_PORT:
 *
 *   labelcheck_jobs{state}                       gauge: jobs in the store by state (queued = queue depth)
 *   labelcheck_uploads_in_progress               gauge: uploads still receiving parts
 *   labelcheck_upload_bytes_stored               gauge: bytes of all uploads in the store
 *   labelcheck_jobs_store_up                     gauge: 1 when the last scrape could read the store
 *   labelcheck_job_duration_seconds{kind,outcome} histogram: jobs this process ran, claim to stored result
 *   labelcheck_job_failures_total{kind}          counter: jobs this process ran that failed
 *
 * The gauges are read from the store on each scrape, so every replica reports the whole
 * (shared) store; the histogram and counter count the jobs this process executed (sum them
 * over the processes).
 */
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { JOB_STATUSES, type JobKind, type JobStore, type StoreStats } from './store/types.js';

/** A job this process finished running (seconds: null when it was failed without running). */
export interface JobEnd {
  kind: JobKind;
  outcome: 'succeeded' | 'failed';
  seconds: number | null;
}

export interface JobsMetrics {
  jobEnded(e: JobEnd): void;
}

/** Job run times: 100 ms to 4 hours. */
const JOB_BUCKETS_S = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400];

/** Register the jobs metrics in `registry`; with a store, the gauges read it on scrape. */
export function registerJobsMetrics(registry: Registry, store: JobStore | null): JobsMetrics {
  const registers = [registry];
  const duration = new Histogram({
    name: 'labelcheck_job_duration_seconds',
    help: 'Run time of the jobs this process executed, from claim to stored result or failure, by kind and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    buckets: JOB_BUCKETS_S,
    registers,
  });
  const failures = new Counter({
    name: 'labelcheck_job_failures_total',
    help: 'Jobs this process executed that failed (their problem is stored), by kind.',
    labelNames: ['kind'] as const,
    registers,
  });
  if (store) {
    // One read of the store per scrape, shared by the gauges (a scrape starts collecting
    // them all at once; the read is forgotten when it ends, so the next scrape reads anew).
    let pending: Promise<StoreStats | null> | null = null;
    const stats = (): Promise<StoreStats | null> =>
      (pending ??= store
        .stats()
        .catch(() => null)
        .finally(() => {
          pending = null;
        }));
    new Gauge({
      name: 'labelcheck_jobs',
      help: 'Jobs in the store by state (queued: the queue depth). Every replica reports the whole store.',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const s = await stats();
        if (s) for (const st of JOB_STATUSES) this.set({ state: st }, s.jobs[st]);
      },
    });
    new Gauge({
      name: 'labelcheck_uploads_in_progress',
      help: 'Uploads opened and not yet completed (still receiving parts).',
      registers,
      async collect() {
        const s = await stats();
        if (s) this.set(s.uploadsOpen);
      },
    });
    new Gauge({
      name: 'labelcheck_upload_bytes_stored',
      help: 'Bytes of all uploads in the store (received parts and completed files).',
      registers,
      async collect() {
        const s = await stats();
        if (s) this.set(s.uploadBytes);
      },
    });
    new Gauge({
      name: 'labelcheck_jobs_store_up',
      help: '1 when this scrape could read the job store, else 0 (the other job gauges then keep their last values).',
      registers,
      async collect() {
        this.set((await stats()) ? 1 : 0);
      },
    });
  }
  return {
    jobEnded(e) {
      if (e.seconds !== null) duration.observe({ kind: e.kind, outcome: e.outcome }, e.seconds);
      if (e.outcome === 'failed') failures.inc({ kind: e.kind });
    },
  };
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464 (the actual port when 0 was asked). */
  url: string;
  metrics: JobsMetrics;
  close(): Promise<void>;
}

/** `labelcheck worker` with METRICS_PORT: GET /metrics with process and jobs metrics. */
export async function serveWorkerMetrics(port: number, host: string, store: JobStore): Promise<MetricsServer> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'labelcheck_' });
  const metrics = registerJobsMetrics(registry, store);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  const h = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${h}:${actual}`,
    metrics,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
