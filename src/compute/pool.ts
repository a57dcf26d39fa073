/**
 * The worker-thread pool (piscina) that runs requests off the event loop.
 *
 * - Size `workers` threads, started eagerly; `start()` resolves once every thread has
 *   loaded the service (readiness for /readyz).
 * - Admission control: at most `workers + maxQueue` requests in flight; the next one is
 *   refused at once with PoolBusyError (→ 503 + Retry-After) instead of queueing without
 *   bound.
 * - Request bytes are transferred to the worker (moved, not copied); the JSON response is
 *   serialised in the worker and transferred back.
 * - Workers run the built JS from dist/; when this module itself runs from TypeScript
 *   source (tsx: tests, `npm run dev`), they load pool-task.ts through tsx.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { InputError } from '../core/errors.js';
import { PoolBusyError, PoolUnavailableError } from '../service/problem.js';
import { getHeapStatistics } from 'node:v8';
import { DEFAULT_LIMITS, type Limits } from '../io/limits.js';
import type { RequestPayload } from '../service/types.js';
import type { ComputeReply, ComputeTask, OutputMode } from './protocol.js';

export type PoolState = 'starting' | 'ready' | 'failed' | 'closing' | 'closed';

export interface ComputePoolOptions {
  workers: number;
  maxQueue: number;
  /** Override the worker module (absolute path or file URL). Default: ./worker.(js|ts). */
  filename?: string;
  /** Extra Node flags for the workers; default adds the tsx loader when running from .ts. */
  execArgv?: string[];
  /** Work limits set in every worker (default: src/io/limits.ts's defaults). */
  limits?: Limits;
}

/**
 * A request stopped by a limit enforced from outside the computation: its compute time
 * (COMPUTE_TIMEOUT_MS) or the worker's heap. The worker is terminated and replaced, so
 * the pool keeps its size; the request gets a 422 naming the limit.
 */
export class ComputeLimitError extends Error {
  override readonly name = 'ComputeLimitError';
  readonly code = 'LC_COMPUTE_LIMIT';
  readonly statusCode = 422;
}

export interface ComputeOutcome {
  /** JSON response bytes (output 'json'). */
  json?: Buffer;
  /** Response body (output 'object'). */
  body?: Record<string, unknown>;
  n: number;
  k: number;
  /** Milliseconds spent computing in the worker (excludes queueing). */
  computeMs: number;
  /** Milliseconds between submission and the start of the computation, approximately. */
  waitMs: number;
}

/** PoolBusyError: every worker busy and the queue full; PoolUnavailableError: starting, failed or shutting down. */
export { PoolBusyError, PoolUnavailableError };

const runningFromSource = import.meta.url.endsWith('.ts');

function defaultWorkerFile(): string {
  return fileURLToPath(new URL(runningFromSource ? './pool-task.ts' : './pool-task.js', import.meta.url));
}

function defaultExecArgv(filename: string): string[] {
  if (!filename.endsWith('.ts')) return [];
  // Resolve tsx to an absolute URL so the worker finds it whatever the cwd is.
  return ['--import', import.meta.resolve('tsx')];
}

/** ArrayBuffers allocated for one request body, safe to move even behind a partial view. */
const transferable = new WeakSet<ArrayBufferLike>();

/** Declare that nothing but the request's own view uses this buffer (see prepareTransfer). */
export function markTransferable(buffer: ArrayBufferLike): void {
  transferable.add(buffer);
}

/**
 * Collect the buffers to move to the worker. A view that does not own its whole
 * ArrayBuffer (a pooled small Buffer, a slice) is copied first — transferring would
 * detach memory that other objects still use — unless the buffer was marked with
 * markTransferable.
 */
export function prepareTransfer(payload: RequestPayload): { payload: RequestPayload; transferList: ArrayBuffer[] } {
  const transferList: ArrayBuffer[] = [];
  const seen = new Set<ArrayBufferLike>();
  const own = (view: Uint8Array): Uint8Array => {
    let out = view;
    const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
    const movable = (whole || transferable.has(view.buffer)) && view.buffer instanceof ArrayBuffer;
    if (!movable || seen.has(view.buffer)) out = new Uint8Array(view);
    seen.add(out.buffer);
    transferList.push(out.buffer as ArrayBuffer);
    return out;
  };
  switch (payload.kind) {
    case 'json':
      return { payload, transferList };
    case 'json-bytes':
      return { payload: { kind: 'json-bytes', bytes: own(payload.bytes) }, transferList };
    case 'arrow':
      return { payload: { kind: 'arrow', bytes: own(payload.bytes), options: payload.options }, transferList };
    case 'npy': {
      const parts: Record<string, Uint8Array> = {};
      for (const [name, bytes] of Object.entries(payload.parts)) parts[name] = own(bytes);
      const examples = payload.examples === undefined ? {} : { examples: own(payload.examples) };
      return { payload: { kind: 'npy', parts, options: payload.options, ...examples }, transferList };
    }
  }
}

export class ComputePool {
  readonly workers: number;
  readonly maxQueue: number;
  readonly filename: string;
  #piscina: Piscina<ComputeTask, ComputeReply> | undefined;
  #execArgv: string[];
  readonly limits: Limits;
  #state: PoolState = 'starting';
  #inFlight = 0;
  #started: Promise<void> | undefined;
  #startError: Error | undefined;

  constructor(options: ComputePoolOptions) {
    this.workers = options.workers;
    this.maxQueue = options.maxQueue;
    this.filename = options.filename ?? defaultWorkerFile();
    this.#execArgv = options.execArgv ?? defaultExecArgv(this.filename);
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /** The threads are created on first use (start() or execute()). */
  #threads(): Piscina<ComputeTask, ComputeReply> {
    this.#piscina ??= new Piscina<ComputeTask, ComputeReply>({
      filename: this.filename,
      minThreads: this.workers,
      maxThreads: this.workers,
      // Admission control is ours (see execute); piscina just queues what we admit.
      maxQueue: Infinity,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1,
      execArgv: this.#execArgv,
      workerData: { limits: this.limits },
      // A worker whose heap runs out is terminated (the request fails, piscina starts a
      // new worker) instead of aborting the whole process.
      resourceLimits: { maxOldGenerationSizeMb: Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20) },
    });
    return this.#piscina;
  }

  get state(): PoolState {
    return this.#state;
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** Why start() failed, if it did. */
  get startError(): Error | undefined {
    return this.#startError;
  }

  /** Requests submitted and not yet finished (running + waiting). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting for a worker. */
  get queueDepth(): number {
    return Math.max(0, this.#inFlight - this.workers);
  }

  get capacity(): number {
    return this.workers + this.maxQueue;
  }

  /** True when the next request would be refused. */
  get saturated(): boolean {
    return this.#inFlight >= this.capacity;
  }

  /** Share of time the threads spent computing since start (piscina's measure). */
  get utilization(): number {
    return this.#piscina?.utilization ?? 0;
  }

  /** Threads currently alive. */
  get threads(): number {
    return this.#piscina?.threads.length ?? 0;
  }

  /**
   * Wait until the workers have loaded the service: one ping per thread. Idempotent.
   * Rejects (and the state becomes 'failed') when the worker module cannot load.
   */
  start(): Promise<void> {
    this.#started ??= (async () => {
      try {
        const pings = Array.from({ length: this.workers }, () => this.#threads().run({ op: 'ping' }));
        await Promise.all(pings);
        if (this.#state === 'starting') this.#state = 'ready';
      } catch (err) {
        this.#startError = err instanceof Error ? err : new Error(String(err));
        if (this.#state === 'starting') this.#state = 'failed';
        throw this.#startError;
      }
    })();
    return this.#started;
  }

  /**
   * Run one request in a worker. Rejects with InputError (bad input: 400), PoolBusyError
   * (full: 503), PoolUnavailableError (not ready / closing: 503) or the worker's error.
   */
  async execute(endpoint: string, payload: RequestPayload, output: OutputMode = 'json'): Promise<ComputeOutcome> {
    if (this.#state !== 'ready' && this.#state !== 'starting') throw new PoolUnavailableError(this.#state);
    if (this.saturated) throw new PoolBusyError(this.#inFlight, this.capacity);
    this.#inFlight++;
    const submitted = performance.now();
    try {
      const prepared = prepareTransfer(payload);
      const timeoutMs = this.limits.computeTimeoutMs;
      // Aborting a running task terminates its worker; piscina replaces it.
      const signal = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
      let reply: ComputeReply;
      try {
        reply = await this.#threads().run(
          { op: 'execute', endpoint, payload: prepared.payload, output },
          { transferList: prepared.transferList, ...(signal ? { signal } : {}) },
        );
      } catch (err) {
        if (signal?.aborted) {
          throw new ComputeLimitError(
            `The computation did not finish within ${timeoutMs.toLocaleString('en-US')} ms (COMPUTE_TIMEOUT_MS) and was stopped; ` +
              'send less data, fewer iterations, or submit a job',
          );
        }
        if ((err as { code?: string })?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          throw new ComputeLimitError('The computation ran out of worker memory and was stopped; send less data or submit a job');
        }
        throw err;
      }
      if (!reply.ok) {
        throw new InputError(reply.field, reply.message, { path: reply.issues[0]?.path, issues: reply.issues });
      }
      if (reply.op !== 'execute') throw new Error('compute worker answered a ping to an execute task');
      const total = performance.now() - submitted;
      return {
        json: reply.json ? Buffer.from(reply.json.buffer, reply.json.byteOffset, reply.json.byteLength) : undefined,
        body: reply.body,
        n: reply.n,
        k: reply.k,
        computeMs: reply.computeMs,
        waitMs: Math.max(0, total - reply.computeMs),
      };
    } finally {
      this.#inFlight--;
    }
  }

  /** Finish running and queued tasks, then stop the threads (force: abort them). */
  async close(options: { force?: boolean } = {}): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closing';
    try {
      await this.#piscina?.close({ force: options.force === true });
    } finally {
      this.#state = 'closed';
    }
  }

  /** Terminate the threads now, failing whatever runs. */
  async destroy(): Promise<void> {
    this.#state = 'closing';
    try {
      await this.#piscina?.destroy();
    } finally {
      this.#state = 'closed';
    }
  }
}
