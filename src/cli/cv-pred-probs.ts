/**
 * `labelcheck cv-pred-probs`: cross-validated (out-of-fold) predicted probabilities from a
 * feature matrix, written as an N×K float64 .npy; prints {n, k, oof_accuracy, backend,
 * warnings, out}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError, isInputError } from '../core/errors.js';
import { npyToLabelValues, npyToProbMatrix, parseNpy, writeNpy } from '../io/npy.js';
import { toLabels } from '../io/validate.js';
import { inputErrorProblem } from '../service/problem.js';
import { readFileOrFail } from './endpoint.js';
import { kebabToSnake, parseFlags, UsageError } from './flags.js';
import type { CliIo } from './io.js';

const KNOWN = new Set(['features', 'labels', 'out', 'folds', 'seed', 'epochs', 'learning-rate', 'l2', 'batch-size', 'num-classes']);

export async function crossValCommand(args: readonly string[], io: CliIo): Promise<number> {
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
    for (const f of flags.keys()) if (!KNOWN.has(f)) throw new UsageError(`cv-pred-probs: unknown flag --${f}`);
    const features = npyToProbMatrix(parseNpy(readFileOrFail(io, need('features'), 'features'), 'features'), 'features');
    const rawLabels = npyToLabelValues(parseNpy(readFileOrFail(io, need('labels'), 'labels'), 'labels'), 'labels');
    let maxLabel = 0;
    for (let i = 0; i < rawLabels.length; i++) maxLabel = Math.max(maxLabel, Number(rawLabels[i]));
    // The rows to match are the feature matrix's: name it in a length mismatch.
    const labels = toLabels(rawLabels, num('num-classes') ?? maxLabel + 1, 'labels', features.n, { rowsField: 'features' });
    const out = need('out');
    const { crossValPredProbs } = await import('../../models/cross-val.js');
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
    mkdirSync(dirname(out), { recursive: true });
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
