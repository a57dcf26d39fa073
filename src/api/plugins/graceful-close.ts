/**
 * Graceful close: once `app.close()` starts, responses to requests still in flight carry
 * `Connection: close`, so their keep-alive sockets end with the response instead of
 * holding the server open until the keep-alive timeout. (Idle sockets are closed by
 * fastify's `forceCloseConnections: 'idle'`; new requests get 503 from
 * `return503OnClosing`.)
 */
import type { FastifyInstance } from 'fastify';
import { shared } from '../plugin.js';

async function gracefulClosePlugin(app: FastifyInstance): Promise<void> {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}

export default shared(gracefulClosePlugin, 'labelcheck-graceful-close');
