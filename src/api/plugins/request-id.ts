/**
 * Request ids: a well-formed incoming `x-request-id` is kept (so a client or proxy can
 * correlate its logs with ours), anything else gets a fresh UUID. Every response echoes
 * the id in `x-request-id`; pino logs carry it as `reqId`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { shared } from '../plugin.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Letters, digits and `._:-`, at most 128 characters: safe to log and echo. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** fastify `genReqId`: reuse a safe incoming id, else generate one. */
export function genReqId(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && SAFE_ID.test(value) ? value : randomUUID();
}

async function requestIdPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    return payload;
  });
}

export default shared(requestIdPlugin, 'labelcheck-request-id');
