#!/usr/bin/env node
/**
 * labelcheck command line (api.md §6):
 *   labelcheck <endpoint> --input request.json|-        same body as the HTTP endpoint
 *   labelcheck <endpoint> --pred-probs X.npy --labels Y.npy [--filter-by …] [--options JSON]
 *   labelcheck serve | worker | endpoints
 * Prints exactly the response body the HTTP endpoint returns; on invalid input prints the
 * problem JSON on stderr and exits 2.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError, isInputError } from './core/errors.js';
import { ENDPOINTS, executeRequest, type RequestPayload } from './service/index.js';
import { inputErrorProblem, makeProblem } from './service/problem.js';

export const USAGE = `labelcheck — find label errors with confident learning (exact to cleanlab 2.9)

Usage:
  labelcheck <endpoint> --input FILE|-          request body as JSON (file or stdin)
  labelcheck <endpoint> --pred-probs X.npy --labels Y.npy [options]
  labelcheck token-classification label-issues --input FILE    (any endpoint by its path /v1/…)
  labelcheck serve                              start the HTTP API (PORT, HOST, … from the environment)
  labelcheck worker                             run a process that only executes queued jobs
  labelcheck cv-pred-probs --features X.npy --labels Y.npy --out P.npy [--folds 5] [--seed 0]
                                                out-of-sample pred_probs from embeddings/features:
                                                stratified K-fold softmax regression (tfjs)
  labelcheck report <label-issues inputs> --out report.html [--examples examples.jsonl] [--title T]
                                                the HTML report (heatmap, class health, top issues)
  labelcheck endpoints                          list the endpoints

Endpoints: ${ENDPOINTS.map((e) => e.name.replace('/', ' ')).join(', ')}

Options with .npy input are the request's JSON fields in kebab case, e.g.
  --filter-by prune_by_class --rank-by normalized_margin --limit 20 --frac-noise 0.5
  --num-to-remove-per-class '[5,5,5]' --class-names '["cat","dog","fox"]' --include-scores
or all at once: --options '{"filter_by": "both"}'. Values are read as JSON when they parse,
else as strings; a flag without a value means true.

Output: the JSON response body on stdout (exit 0); invalid input: a problem JSON on stderr
(exit 2).`;

/** Flags that name `.npy` file parts (the endpoints' array fields, kebab case). */
const NPY_FLAGS = new Set([
  'pred-probs',
  'labels',
  'labels-multiannotator',
  'sentence-lengths',
  'labels-bboxes',
  'labels-labels',
  'labels-counts',
  'predictions',
  'predictions-counts',
  'features',
  'score-features',
  'score-pred-probs',
]);

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => string;
  readFile: (path: string) => Uint8Array;
}

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: () => readFileSync(0, 'utf8'),
  readFile: (p) => readFileSync(p),
};

function kebabToSnake(flag: string): string {
  return flag.replace(/-/g, '_');
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Parse `--flag value` pairs; a flag followed by another flag (or nothing) is `true`. */
export function parseFlags(args: readonly string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new UsageError(`Unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags.set(a.slice(2, eq), a.slice(eq + 1));
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags.set(a.slice(2), next);
      i++;
    } else {
      flags.set(a.slice(2), true);
    }
  }
  return flags;
}

export class UsageError extends Error {}

function readFileOrFail(io: CliIo, path: string, field: string): Uint8Array {
  try {
    return io.readFile(path);
  } catch (e) {
    throw new InputError(field, `Cannot read ${field} file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Build the service payload from the command's flags. */
export function payloadFromFlags(flags: Map<string, string | true>, io: CliIo): RequestPayload {
  const input = flags.get('input');
  if (input !== undefined) {
    if (flags.size > 1) throw new UsageError('--input takes the whole request; put options inside the JSON body');
    if (input === true) throw new UsageError('--input needs a file name, or - for stdin');
    const text = input === '-' ? io.readStdin() : Buffer.from(readFileOrFail(io, input, 'input')).toString('utf8');
    return { kind: 'json-bytes', bytes: Buffer.from(text, 'utf8') };
  }
  const parts: Record<string, Uint8Array> = {};
  let options: Record<string, unknown> = {};
  const optionsFlag = flags.get('options');
  if (optionsFlag !== undefined) {
    const parsed = optionsFlag === true ? undefined : parseValue(optionsFlag);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InputError('options', '--options must be a JSON object, e.g. --options \'{"filter_by": "both"}\'');
    }
    options = { ...(parsed as Record<string, unknown>) };
  }
  for (const [flag, value] of flags) {
    if (flag === 'options') continue;
    if (flag.endsWith('.npy') || NPY_FLAGS.has(flag)) {
      if (value === true) throw new UsageError(`--${flag} needs a .npy file name`);
      const field = kebabToSnake(flag);
      parts[field] = readFileOrFail(io, value, field);
      continue;
    }
    options[kebabToSnake(flag)] = value === true ? true : parseValue(value);
  }
  if (Object.keys(parts).length === 0) {
    throw new UsageError('Give the request with --input FILE|- or the arrays with --pred-probs X.npy --labels Y.npy');
  }
  return { kind: 'npy', parts, options };
}

/** Run the CLI; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  if (command === 'serve') {
    const { startServer } = await import('./server.js');
    const { createJobsPlugin } = await import('./jobs/plugin.js');
    const { createWebPlugin } = await import('./web/plugin.js');
    await startServer(process.env, { deps: { v1Plugins: [createJobsPlugin()], rootPlugins: [createWebPlugin()] } });
    return -1; // keeps running
  }
  if (command === 'worker') {
    const { runWorkerFromEnv } = await import('./jobs/worker-command.js');
    await runWorkerFromEnv(process.env);
    return -1;
  }
  if (command === 'cv-pred-probs') {
    return crossValCommand(rest, io);
  }
  if (command === 'report') {
    return reportCommand(rest, io);
  }
  if (command === 'endpoints') {
    for (const e of ENDPOINTS) io.stdout(`${e.name.replace('/', ' ').padEnd(38)} POST ${e.path}  ${e.summary}\n`);
    return 0;
  }
  // `labelcheck token-classification label-issues …` = the endpoint of path /v1/token-classification/label-issues
  const byPath = rest[0] !== undefined ? ENDPOINTS.find((e) => e.path === `/v1/${command}/${rest[0]}`) : undefined;
  const endpoint = byPath?.name ?? command;
  const args = byPath ? rest.slice(1) : rest;
  if (!ENDPOINTS.some((e) => e.name === endpoint)) {
    io.stderr(`labelcheck: unknown command '${command}'\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const payload = payloadFromFlags(parseFlags(args), io);
    const { body } = executeRequest(endpoint, payload);
    io.stdout(JSON.stringify(body) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`labelcheck ${endpoint}: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (isInputError(e)) {
      io.stderr(JSON.stringify(inputErrorProblem(e)) + '\n');
      return 2;
    }
    io.stderr(
      JSON.stringify(makeProblem(500, (e as Error).message ?? String(e), { slug: 'internal' })) + '\n',
    );
    return 1;
  }
}

/** `labelcheck report`: the label-issues inputs as for `label-issues`, plus --out, --examples, --title. */
async function reportCommand(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const flags = parseFlags(args);
    const out = flags.get('out');
    if (typeof out !== 'string') throw new UsageError('report needs --out FILE.html');
    const examplesFile = flags.get('examples');
    const title = flags.get('title');
    for (const f of ['out', 'examples', 'title']) flags.delete(f);
    const { reportFromPayload, withExamples } = await import('./web/report-file.js');
    let payload = payloadFromFlags(flags, io);
    if (examplesFile !== undefined) {
      if (examplesFile === true) throw new UsageError('--examples needs a .jsonl file name');
      const { parseExamplesJsonl } = await import('./service/examples.js');
      payload = withExamples(payload, parseExamplesJsonl(Buffer.from(readFileOrFail(io, examplesFile, 'examples')).toString('utf8')));
    }
    const { html, numLabelIssues } = reportFromPayload(payload, typeof title === 'string' ? title : undefined);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(out, html);
    io.stdout(JSON.stringify({ out, bytes: Buffer.byteLength(html), num_label_issues: numLabelIssues }) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`labelcheck report: ${e.message}\n`);
      return 2;
    }
    if (isInputError(e)) {
      io.stderr(JSON.stringify(inputErrorProblem(e)) + '\n');
      return 2;
    }
    throw e;
  }
}

/**
 * `labelcheck cv-pred-probs`: cross-validated (out-of-fold) predicted probabilities from a
 * feature matrix, written as an N×K float64 .npy; prints {n, k, oof_accuracy, backend,
 * warnings, out}.
 */
async function crossValCommand(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const flags = parseFlags(args);
    const need = (name: string): string => {
      const v = flags.get(name);
      if (typeof v !== 'string') throw new UsageError(`cv-pred-probs needs --${name} FILE`);
      return v;
    };
    const num = (name: string): number | undefined => {
      const v = flags.get(name);
      if (v === undefined) return undefined;
      const x = Number(v);
      if (v === true || !Number.isFinite(x)) throw new InputError(kebabToSnake(name), `--${name} must be a number`);
      return x;
    };
    const known = new Set(['features', 'labels', 'out', 'folds', 'seed', 'epochs', 'learning-rate', 'l2', 'batch-size', 'num-classes']);
    for (const f of flags.keys()) if (!known.has(f)) throw new UsageError(`cv-pred-probs: unknown flag --${f}`);
    const { npyToLabelValues, npyToProbMatrix, parseNpy, writeNpy } = await import('./io/npy.js');
    const { toLabels } = await import('./io/validate.js');
    const features = npyToProbMatrix(parseNpy(readFileOrFail(io, need('features'), 'features'), 'features'), 'features');
    const rawLabels = npyToLabelValues(parseNpy(readFileOrFail(io, need('labels'), 'labels'), 'labels'), 'labels');
    let maxLabel = 0;
    for (let i = 0; i < rawLabels.length; i++) maxLabel = Math.max(maxLabel, Number(rawLabels[i]));
    const labels = toLabels(rawLabels, (num('num-classes') ?? maxLabel + 1), 'labels', features.n);
    const out = need('out');
    const { crossValPredProbs } = await import('../models/cross-val.js');
    const opts = {
      folds: num('folds'),
      seed: num('seed'),
      epochs: num('epochs'),
      learningRate: num('learning-rate'),
      l2: num('l2'),
      batchSize: num('batch-size'),
      numClasses: num('num-classes'),
    };
    const result = await crossValPredProbs(
      { data: features.data, n: features.n, d: features.k },
      labels,
      Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
    );
    const { writeFileSync } = await import('node:fs');
    writeFileSync(out, writeNpy(result.predProbs, '<f8', [result.n, result.k]));
    io.stdout(
      JSON.stringify({ n: result.n, k: result.k, oof_accuracy: result.oofAccuracy, backend: result.backend, warnings: result.warnings, out }) + '\n',
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`labelcheck cv-pred-probs: ${e.message}\n`);
      return 2;
    }
    if (isInputError(e)) {
      io.stderr(JSON.stringify(inputErrorProblem(e)) + '\n');
      return 2;
    }
    throw e;
  }
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === (await realpath(process.argv[1]));

async function realpath(p: string): Promise<string> {
  const { realpathSync } = await import('node:fs');
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

if (invokedDirectly) {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
}
