#!/usr/bin/env node
/**
 * labelcheck command line (api.md §6):
 *   labelcheck <endpoint> --input request.json|-        same body as the HTTP endpoint
 *   labelcheck <endpoint> --pred-probs X.npy --labels Y.npy [--filter-by …] [--options JSON]
 *   labelcheck serve | worker | endpoints | cv-pred-probs
 * Prints exactly the response body the HTTP endpoint returns; on invalid input prints the
 * problem JSON on stderr and exits 2.
 *
 * Start-up time is part of every command: this module imports only node built-ins and
 * src/cli/{io,flags,usage}; each command loads what it needs when it runs (the service,
 * the server, the job worker, tfjs). `npm run build` bundles it (scripts/build.mjs).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultIo, type CliIo } from './cli/io.js';
import { endpointNames, usageText } from './cli/usage.js';

export type { CliIo } from './cli/io.js';
export { parseFlags, UsageError } from './cli/flags.js';

/** Start a long-running command; a failure to start is one line on stderr and exit 1. */
async function startLongRunning(name: string, io: CliIo, start: () => Promise<unknown>): Promise<number> {
  try {
    await start();
    return -1; // keeps running
  } catch (e) {
    const { describeStartupError } = await import('./cli/startup.js');
    io.stderr(`labelcheck ${name}: ${describeStartupError(e)}\n`);
    return 1;
  }
}

/** Run the CLI; returns the exit code (-1: a server or worker keeps running). */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(usageText(await endpointNames()) + '\n');
    return command === undefined ? 2 : 0;
  }
  if (command === 'serve') {
    return startLongRunning('serve', io, async () => {
      const { startServer } = await import('./server.js');
      const { createJobsPlugin } = await import('./jobs/plugin.js');
      const { createWebPlugin } = await import('./web/plugin.js');
      await startServer(process.env, { deps: { v1Plugins: [createJobsPlugin()], rootPlugins: [createWebPlugin()] } });
    });
  }
  if (command === 'worker') {
    return startLongRunning('worker', io, async () => {
      const { runWorkerFromEnv } = await import('./jobs/worker-command.js');
      await runWorkerFromEnv(process.env);
    });
  }
  if (command === 'cv-pred-probs') {
    const { crossValCommand } = await import('./cli/cv-pred-probs.js');
    return crossValCommand(rest, io);
  }
  if (command === 'report') {
    const { reportCommand } = await import('./cli/report.js');
    return reportCommand(rest, io);
  }
  if (command === 'endpoints') {
    const { ENDPOINTS } = await import('./service/index.js');
    for (const e of ENDPOINTS) io.stdout(`${e.name.replace('/', ' ').padEnd(38)} POST ${e.path}  ${e.summary}\n`);
    return 0;
  }
  const names = await endpointNames();
  // `labelcheck token-classification label-issues …` = the endpoint named after its path
  // /v1/token-classification/label-issues (endpoint names follow the path after /v1/).
  const twoWord = rest[0] !== undefined && names.includes(`${command}/${rest[0]}`);
  const endpoint = twoWord ? `${command}/${rest[0]}` : command;
  if (!names.includes(endpoint)) {
    io.stderr(`labelcheck: unknown command '${command}'\n\n${usageText(names)}\n`);
    return 2;
  }
  const { runEndpoint } = await import('./cli/endpoint.js');
  return runEndpoint(endpoint, twoWord ? rest.slice(1) : rest, io, usageText(names));
}

function isMainModule(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return fileURLToPath(import.meta.url) === realpathSync(script);
  } catch {
    return false;
  }
}

if (isMainModule()) {
  const code = await main(process.argv.slice(2));
  // Output is written synchronously, so a failing command can end at once (a server that
  // failed to start may hold threads and handles open).
  if (code > 0) process.exit(code);
  if (code === 0) process.exitCode = 0;
}
