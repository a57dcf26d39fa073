/**
 * `labelcheck <endpoint> …`: one request through the service, in this process. Prints
 * exactly the body the HTTP endpoint returns (same code path: executeRequest); invalid
 * input prints the problem JSON on stderr and exits 2.
 */
import { InputError, isInputError } from '../core/errors.js';
import { executeRequest, type RequestPayload } from '../service/index.js';
import { inputErrorProblem, makeProblem } from '../service/problem.js';
import { kebabToSnake, parseFlags, parseValue, UsageError } from './flags.js';
import type { CliIo } from './io.js';
import { bufferedWriter, writeJson } from './json-out.js';

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

/** Flags that name `.npy` files (every other flag is a request field). */
function isFileFlag(flag: string): boolean {
  return flag.endsWith('.npy') || NPY_FLAGS.has(flag);
}

export function readFileOrFail(io: CliIo, path: string, field: string): Uint8Array {
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
    const bytes = input === '-' ? Buffer.from(io.readStdin(), 'utf8') : readFileOrFail(io, input, 'input');
    return { kind: 'json-bytes', bytes };
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
    if (isFileFlag(flag)) {
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

/** Run one endpoint command; returns the exit code. `usage` is shown after a usage error. */
export function runEndpoint(command: string, args: readonly string[], io: CliIo, usage: string): number {
  try {
    const payload = payloadFromFlags(parseFlags(args), io);
    const { body } = executeRequest(command, payload);
    const out = bufferedWriter(io.stdout);
    writeJson(body, out.write);
    out.write('\n');
    out.flush();
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`labelcheck ${command}: ${e.message}\n\n${usage}\n`);
      return 2;
    }
    if (isInputError(e)) {
      io.stderr(JSON.stringify(inputErrorProblem(e)) + '\n');
      return 2;
    }
    io.stderr(JSON.stringify(makeProblem(500, (e as Error).message ?? String(e), { slug: 'internal' })) + '\n');
    return 1;
  }
}
