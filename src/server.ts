/**
 * Start and stop the HTTP service (`labelcheck serve`, `npm start`).
 *
 * - Configuration from the environment, validated at start-up: a bad variable ends the
 *   process (exit code 78, EX_CONFIG) with a message naming it.
 * - Logs the tfjs backend in use and the effective limits.
 * - Graceful shutdown on SIGTERM/SIGINT: stop accepting, let in-flight requests finish
 *   (up to SHUTDOWN_TIMEOUT_MS), then close the worker pool and exit 0; past the
 *   deadline the pool is destroyed and the process exits 1.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp, type AppDeps } from './api/app.js';
import { getTfBackend } from './backend.js';
import { apiKeysOf, ConfigError, loadConfig, type Config } from './config.js';

export const EXIT_CONFIG = 78;

export interface StartOptions {
  /** Exit the process on a configuration error (default true); false: throw ConfigError. */
  exitOnConfigError?: boolean;
  /** Install SIGTERM/SIGINT handlers that shut down and exit (default true). */
  handleSignals?: boolean;
  /** Logger override (tests). */
  logger?: AppDeps['logger'];
  /** Other app dependencies (tests, jobs). */
  deps?: Omit<AppDeps, 'logger'>;
}

export interface RunningServer {
  app: FastifyInstance;
  config: Config;
  /** e.g. http://127.0.0.1:8080 (the actual port when PORT=0). */
  url: string;
  port: number;
  /** Graceful stop: no new connections, in-flight requests finish, pool closes. */
  close(): Promise<void>;
}

export async function startServer(env: NodeJS.ProcessEnv = process.env, options: StartOptions = {}): Promise<RunningServer> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError && options.exitOnConfigError !== false) {
      process.stderr.write(`labelcheck: ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }

  const app = buildApp(config, { ...options.deps, logger: options.logger as FastifyServerOptions['logger'] });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}`;

  let closing: Promise<void> | undefined;
  let removeSignalHandlers = (): void => {};
  const close = (): Promise<void> => {
    removeSignalHandlers();
    return (closing ??= app.close().then(() => undefined));
  };

  if (options.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (closing) {
        app.log.warn({ signal }, 'second signal during shutdown: exiting now');
        process.exit(1);
      }
      app.log.info({ signal, deadline_ms: config.shutdownTimeoutMs }, 'shutting down: finishing in-flight requests');
      const deadline = setTimeout(() => {
        app.log.error({ deadline_ms: config.shutdownTimeoutMs }, 'shutdown deadline passed: terminating in-flight work');
        void app.compute.destroy().finally(() => process.exit(1));
      }, config.shutdownTimeoutMs);
      deadline.unref();
      closing ??= app.close().then(() => undefined);
      closing.then(
        () => {
          clearTimeout(deadline);
          app.log.info('shutdown complete');
          process.exit(0);
        },
        (err: unknown) => {
          app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    removeSignalHandlers = () => {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    };
  }

  const backend = await (options.deps?.backend ?? getTfBackend)();
  app.log.info(
    {
      url,
      tfjs_backend: backend.backend,
      tfjs_package: backend.package,
      workers: config.workers,
      max_queue: config.maxQueue,
      body_limit_mb: config.bodyLimitBytes / (1024 * 1024),
      auth: apiKeysOf(config).length > 0 ? 'bearer' : 'off',
      api_keys: apiKeysOf(config).map((k) => k.name),
    },
    `labelcheck listening on ${url} (tfjs backend: ${backend.backend} from ${backend.package})`,
  );
  try {
    await app.compute.start();
    app.log.info({ workers: app.compute.workers }, 'worker pool ready');
  } catch (err) {
    app.log.fatal({ err }, 'worker pool failed to start');
    await close().catch(() => undefined);
    throw err;
  }
  return { app, config, url, port, close };
}
