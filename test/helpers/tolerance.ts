/**
 * Comparison helpers for parity tests: floats within an absolute tolerance (1e-9 for
 * parity), integers / indices / booleans exact, NaN in fixtures written as null.
 * Each returns a list of mismatch descriptions (empty = equal), so a test can assert once
 * per fixture entry and still say where it differs.
 */

export const PARITY_TOL = 1e-9;

type Nested = unknown;

function isNum(x: unknown): x is number {
  return typeof x === 'number';
}

/** Deep comparison: numbers within `tol` (null ≡ NaN), everything else strictly equal. */
export function diffClose(actual: Nested, expected: Nested, tol = PARITY_TOL, path = '$', out: string[] = []): string[] {
  if (out.length > 20) return out;
  if (expected === null) {
    if (!(isNum(actual) && Number.isNaN(actual)) && actual !== null) out.push(`${path}: expected NaN/null, got ${String(actual)}`);
    return out;
  }
  if (isNum(expected)) {
    if (!isNum(actual)) {
      out.push(`${path}: expected number ${expected}, got ${typeof actual} ${String(actual)}`);
    } else if (!(Math.abs(actual - expected) <= tol) && !(actual === expected)) {
      out.push(`${path}: expected ${expected}, got ${actual} (|Δ| = ${Math.abs(actual - expected)})`);
    }
    return out;
  }
  if (Array.isArray(expected)) {
    const arr = toArray(actual);
    if (!arr) {
      out.push(`${path}: expected an array, got ${typeof actual}`);
      return out;
    }
    if (arr.length !== expected.length) {
      out.push(`${path}: expected length ${expected.length}, got ${arr.length}`);
      return out;
    }
    for (let i = 0; i < expected.length; i++) diffClose(arr[i], expected[i], tol, `${path}[${i}]`, out);
    return out;
  }
  if (typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') {
      out.push(`${path}: expected an object, got ${String(actual)}`);
      return out;
    }
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const key of Object.keys(e)) diffClose(a[key], e[key], tol, `${path}.${key}`, out);
    for (const key of Object.keys(a)) if (!(key in e)) out.push(`${path}.${key}: unexpected key`);
    return out;
  }
  if (actual !== expected) out.push(`${path}: expected ${String(expected)}, got ${String(actual)}`);
  return out;
}

/** Deep exact comparison (integers, indices, booleans). */
export function diffExact(actual: Nested, expected: Nested, path = '$', out: string[] = []): string[] {
  return diffClose(actual, expected, 0, path, out);
}

function toArray(x: unknown): unknown[] | null {
  if (Array.isArray(x)) return x;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return Array.from(x as unknown as ArrayLike<number>);
  return null;
}

/** Require an integer-valued result to be exactly equal (also checks it is integral). */
export function diffIntegers(actual: Nested, expected: Nested, path = '$'): string[] {
  const out = diffExact(actual, expected, path);
  const walk = (x: unknown, p: string): void => {
    const arr = toArray(x);
    if (arr) arr.forEach((v, i) => walk(v, `${p}[${i}]`));
    else if (isNum(x) && !Number.isInteger(x)) out.push(`${p}: ${x} is not an integer`);
  };
  walk(actual, path);
  return out;
}
