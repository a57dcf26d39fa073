import type { ZodType } from 'zod';

/** How a request body reached us. The service decodes every kind the same way. */
export type RequestPayload =
  /** An already-parsed JSON object (CLI, jobs). */
  | { kind: 'json'; body: unknown }
  /** A raw JSON request body; parsed here, i.e. inside the worker, off the event loop. */
  | { kind: 'json-bytes'; bytes: Uint8Array }
  /**
   * multipart/form-data: raw `.npy` bytes per file field; `options` = the parsed `options`
   * part; `examples` = the raw bytes of a JSON Lines `examples` part (decoded in the worker).
   */
  | { kind: 'npy'; parts: Record<string, Uint8Array>; options: unknown; examples?: Uint8Array }
  /** An Arrow IPC stream body; `options` from the query string or `x-labelcheck-options`. */
  | { kind: 'arrow'; bytes: Uint8Array; options: unknown };

export interface ServiceResult {
  body: Record<string, unknown>;
  /** Number of examples and classes, for metrics (0 when not applicable). */
  n: number;
  k: number;
}

export interface EndpointSpec {
  /** Name used by the CLI (`labelcheck <name>`), the pool and the jobs API. */
  name: string;
  /** HTTP path, e.g. `/v1/label-issues`. */
  path: string;
  summary: string;
  description: string;
  /** The JSON request body (documentation; arrays are validated by src/io). */
  requestSchema: ZodType;
  /** Every non-array field; validated with zod. */
  optionsSchema: ZodType;
  responseSchema: ZodType;
  /** Multipart file parts this endpoint reads (documentation and the multipart parser). */
  fileParts: readonly string[];
  /** The endpoint reads per-example content: multipart requests may carry a JSON Lines part `examples` (review.md §1). */
  examplesPart?: boolean;
  handle(payload: RequestPayload): ServiceResult;
}
