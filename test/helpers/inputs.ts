/** Small input builders and error checks shared by the tests (not a test file itself). */
import type { Test } from 'tap';
import { InputError } from '../../src/core/errors.js';
import type { ProbMatrix } from '../../src/core/types.js';

/** A row-major ProbMatrix from nested rows (float64, or float32 when `f32`). */
export function probMatrixFromRows(rows: number[][], f32 = false): ProbMatrix {
  const k = rows[0]?.length ?? 0;
  const flat = rows.flat();
  return { data: f32 ? Float32Array.from(flat) : Float64Array.from(flat), n: rows.length, k };
}

/** The InputError that fn throws, else a description of what happened instead. */
export function errorOf(fn: () => unknown): InputError | string {
  try {
    fn();
  } catch (e) {
    return e instanceof InputError ? e : `not an InputError: ${String(e)}`;
  }
  return 'no error';
}

/** A bad input: its name, the input, the field the InputError must name, a pattern of its message. */
export type InputErrorCase<P> = [name: string, input: P, field: string, message: RegExp];

/** Each case must make `run` throw an InputError naming its field, with a matching message. */
export function expectInputErrors<P>(t: Test, cases: readonly InputErrorCase<P>[], run: (input: P) => unknown): void {
  for (const [name, input, field, re] of cases) {
    const e = errorOf(() => run(input));
    t.type(e, InputError, name);
    if (e instanceof InputError) {
      t.equal(e.field, field, `${name}: field`);
      t.match(e.message, re, `${name}: ${e.message}`);
    }
  }
}
