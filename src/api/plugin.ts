/**
 * `shared(fn, name)`: mark a plugin as non-encapsulating (its hooks, decorators and
 * handlers apply to the scope that registers it), the documented `skip-override` hidden
 * property that `fastify-plugin` sets (fastify docs, Reference/Plugins).
 */
import type { FastifyPluginAsync } from 'fastify';

export function shared<O extends Record<string, unknown>>(fn: FastifyPluginAsync<O>, name: string): FastifyPluginAsync<O> {
  const marked = fn as FastifyPluginAsync<O> & Record<symbol, unknown>;
  marked[Symbol.for('skip-override')] = true;
  marked[Symbol.for('fastify.display-name')] = name;
  return marked;
}
