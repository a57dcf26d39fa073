/**
 * Processes that execute jobs:
 * - `runWorker(config)`: the `labelcheck worker` process — only runs jobs (no HTTP), for
 *   deployments where several processes/machines share one PostgreSQL queue;
 * - `startRunnerThread(cfg)`: the in-process runner of `npm start`, a worker thread that
 *   runs the same loop, so job computations never block the HTTP event loop.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import { jobsConfigFromAppConfig, type JobsConfig } from './config.js';
import { JobRunner, type RunnerLogger } from './runner.js';
import type { JobEnd } from './metrics.js';
import { checkSharedDataDir, closeBlobs } from './blobs/index.js';
import { openJobStore } from './store/index.js';

export interface WorkerHandle {
  runner: JobRunner;
  /** Stop taking jobs; a running job goes back to the queue at its next chunk. */
  stop(): Promise<void>;
}

/** Open the store and run jobs until stop() or the signal aborts. */
export async function runWorker(
  config: Config | JobsConfig,
  opts: { log?: RunnerLogger; signal?: AbortSignal; owner?: string; onJobEnd?: (e: JobEnd) => void } = {},
): Promise<WorkerHandle> {
  const cfg = 'leaseMs' in config ? config : jobsConfigFromAppConfig(config);
  const store = await openJobStore(cfg);
  try {
    await checkSharedDataDir(cfg);
  } catch (e) {
    await store.close();
    throw e;
  }
  const runner = new JobRunner(store, cfg, {
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.owner ? { owner: opts.owner } : {}),
    ...(opts.onJobEnd ? { onJobEnd: opts.onJobEnd } : {}),
  });
  runner.start();
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await runner.stop();
      await store.close();
      await closeBlobs(cfg);
    })());
  opts.signal?.addEventListener('abort', () => void stop(), { once: true });
  return { runner, stop };
}

const runningFromSource = import.meta.url.endsWith('.ts');

export interface RunnerThread {
  /** A job was submitted: poll now. */
  notify(): void;
  stop(): Promise<void>;
}

/** The in-process runner: runWorker in a worker thread (see runner-thread.ts). */
export function startRunnerThread(cfg: JobsConfig, log?: RunnerLogger, onJobEnd?: (e: JobEnd) => void): RunnerThread {
  const url = new URL(runningFromSource ? './runner-thread.ts' : './runner-thread.js', import.meta.url);
  // From TypeScript source (tests, `npm run dev`) the thread loads tsx first; its entry is
  // plain JS that imports runner-thread.ts once the loader is in place.
  const worker = runningFromSource
    ? new Worker(
        new URL(
          `data:text/javascript,const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); ` +
            `register(); await import(${JSON.stringify(url.href)});`,
        ),
        { workerData: cfg },
      )
    : new Worker(fileURLToPath(url), { workerData: cfg });
  worker.on('message', (m: { level: 'info' | 'warn' | 'error'; obj: object; msg?: string } | { jobEnd: JobEnd }) => {
    if (!m || typeof m !== 'object') return;
    if ('jobEnd' in m) onJobEnd?.(m.jobEnd);
    else if (log && 'level' in m) log[m.level](m.obj, m.msg);
  });
  worker.on('error', (err) => log?.error({ err }, 'job runner thread failed'));
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => ((exited = true), resolve())));
  return {
    notify() {
      if (!exited) worker.postMessage('notify');
    },
    async stop() {
      if (!exited) worker.postMessage('stop');
      await exit;
    },
  };
}
