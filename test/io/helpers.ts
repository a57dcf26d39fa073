/** Shared assertions for the io tests (not a test file itself). */
import type { Test } from 'tap';
import { InputError } from '../../src/core/errors.js';
import { mulberry32 } from '../../seeds/synthetic.js';

export interface ExpectedInputError {
  field: string;
  row?: number;
  column?: number;
  /** Exact message, or a pattern it must match. */
  message: string | RegExp;
  path?: string;
}

type T = Test;

/** Run fn, require an InputError, and check field, row, column, message (and path). */
export function expectInputError(t: T, fn: () => unknown, want: ExpectedInputError, label = ''): InputError | undefined {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (!(err instanceof InputError)) {
    t.fail(`${label}: expected an InputError, got ${err === undefined ? 'no error' : String(err)}`);
    return undefined;
  }
  t.equal(err.field, want.field, `${label}: field`);
  t.equal(err.row, want.row, `${label}: row`);
  t.equal(err.column, want.column, `${label}: column`);
  if (typeof want.message === 'string') t.equal(err.message, want.message, `${label}: message`);
  else t.match(err.message, want.message, `${label}: message`);
  t.equal(err.issues.length, 1, `${label}: one issue`);
  t.equal(err.issues[0]!.message, err.message, `${label}: issue message`);
  if (want.path !== undefined) t.equal(err.issues[0]!.path, want.path, `${label}: path`);
  return err;
}

/** A random N×K row-stochastic matrix (float64) and labels in [0, K). */
export function randomClassification(n: number, k: number, seed = 1): { pp: Float64Array; labels: Int32Array } {
  const r = mulberry32(seed);
  const pp = new Float64Array(n * k);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) {
      const v = r() + 1e-3;
      pp[i * k + j] = v;
      s += v;
    }
    for (let j = 0; j < k; j++) pp[i * k + j] = pp[i * k + j]! / s;
    labels[i] = Math.floor(r() * k);
  }
  return { pp, labels };
}
