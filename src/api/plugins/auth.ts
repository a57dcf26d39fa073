/**
 * Optional API keys (API_KEY, named admin, and API_KEYS, `name:key` pairs). When any is
 * configured, every route in the scope that registers this plugin (the /v1 scope) requires
 * `Authorization: Bearer <key>`; otherwise 401 problem with `WWW-Authenticate: Bearer`.
 * The token's digest is compared with every key's in constant time (no early exit, so the
 * time does not tell which key matched). A match sets `request.caller` (src/service/caller.ts)
 * and puts the key's name — never the key — on the request's log lines (`key_name`).
 * Health, readiness, metrics and docs live outside that scope and stay open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ADMIN_KEY_NAME, type ApiKey } from '../../config.js';
import type { Caller } from '../../service/caller.js';
import { UnauthorizedError } from '../../service/problem.js';
import { shared } from '../plugin.js';

export interface AuthOptions extends Record<string, unknown> {
  /** Every accepted key with its name (src/config.ts `apiKeysOf`); empty: no auth. */
  keys: ApiKey[];
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}

async function authPlugin(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  if (opts.keys.length === 0) return;
  const known = opts.keys.map((k) => ({
    digest: digest(k.key),
    caller: Object.freeze({ name: k.name, all: k.name === ADMIN_KEY_NAME }) as Caller,
  }));
  app.addHook('onRequest', async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw new UnauthorizedError();
    const d = digest(token);
    let caller: Caller | undefined;
    for (const k of known) if (timingSafeEqual(d, k.digest) && caller === undefined) caller = k.caller;
    if (caller === undefined) throw new UnauthorizedError();
    request.caller = caller;
    // fastify logs "request completed" and errors through reply.log: both carry the name.
    const log = request.log.child({ key_name: caller.name });
    request.log = log;
    reply.log = log;
  });
}

export default shared(authPlugin, 'labelcheck-auth');
