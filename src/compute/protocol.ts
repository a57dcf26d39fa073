/**
 * Messages between the pool (main thread) and its workers. Kept free of runtime imports
 * so both sides can share it without loading the service on the main thread.
 */
import type { InputIssue } from '../core/errors.js';
import type { RequestPayload } from '../service/types.js';

/** How the worker hands the response body back. */
export type OutputMode =
  /** JSON text as UTF-8 bytes, serialised in the worker and transferred (HTTP path). */
  | 'json'
  /** The body object itself, structured-cloned (jobs, embedding). */
  | 'object';

export type ComputeTask =
  | { op: 'ping' }
  | { op: 'execute'; endpoint: string; payload: RequestPayload; output: OutputMode };

export type ComputeReply =
  | { ok: true; op: 'ping'; pid: number; threadId: number }
  | {
      ok: true;
      op: 'execute';
      /** Present with output 'json'. */
      json?: Uint8Array;
      /** Present with output 'object'. */
      body?: Record<string, unknown>;
      n: number;
      k: number;
      /** Time spent in executeRequest + serialisation, milliseconds. */
      computeMs: number;
    }
  /** An InputError thrown by the service: it is a 400, not a crash. */
  | { ok: false; field: string; message: string; issues: InputIssue[] };
