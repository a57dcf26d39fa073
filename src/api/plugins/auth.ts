/**
 * Optional API key. When configured, every route in the scope that registers this plugin
 * (the /v1 scope) requires `Authorization: Bearer <key>`; otherwise 401 problem with
 * `WWW-Authenticate: Bearer`. The comparison is constant-time (digests of equal length).
 * Health, readiness, metrics and docs live outside that scope and stay open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { UnauthorizedError } from '../../service/problem.js';
import { shared } from '../plugin.js';

export interface AuthOptions extends Record<string, unknown> {
  apiKey: string | undefined;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}

async function authPlugin(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const { apiKey } = opts;
  if (apiKey === undefined) return;
  const expected = digest(apiKey);
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined || !timingSafeEqual(digest(token), expected)) {
      throw new UnauthorizedError();
    }
  });
}

export default shared(authPlugin, 'labelcheck-auth');
