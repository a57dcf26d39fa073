/**
 * Tenancy: who is calling, and what they may see. The auth plugin (src/api/plugins/auth.ts)
 * sets `request.caller` from the bearer key; the jobs routes file every job and upload
 * under the caller's key name and answer 404 for what another key created.
 *
 *   no key configured   single-user mode: everything belongs to no one (owner null), all visible
 *   key named `admin`   sees and manages everything (API_KEY is this key)
 *   any other key       sees only what it created
 *
 * Rows created before tenancy (or in single-user mode) have owner null: with keys
 * configured, only admin sees them.
 */
import type { FastifyRequest } from 'fastify';

export interface Caller {
  /** The key's name (never the key); null in single-user mode (no keys configured). */
  name: string | null;
  /** Sees and manages everything: the key named admin, or single-user mode. */
  all: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin on every /v1 request when keys are configured. */
    caller?: Caller;
  }
}

/** No keys configured: one user, who sees everything and owns nothing. */
export const SINGLE_USER: Caller = Object.freeze({ name: null, all: true });

export function callerOf(request: FastifyRequest): Caller {
  return request.caller ?? SINGLE_USER;
}

/** Whether a caller may see (and manage) a row filed under `owner`. */
export function canSee(caller: Caller, owner: string | null): boolean {
  return caller.all || (caller.name !== null && owner === caller.name);
}

/** The owner to filter lists by: undefined = every row (admin, single-user). */
export function ownerFilter(caller: Caller): string | undefined {
  return caller.all ? undefined : (caller.name ?? undefined);
}
