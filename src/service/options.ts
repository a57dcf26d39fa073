import type { ZodType } from 'zod';
import { InputError, type InputIssue } from '../core/errors.js';
import type { FindLabelIssuesOptions } from '../core/filter.js';
import type { FilterBy } from '../core/types.js';

/**
 * Validate the non-array fields of a request with the endpoint's zod schema. Unknown
 * fields, wrong types and out-of-range values become one InputError listing every issue,
 * each with the field's path (`filter_by`, `num_to_remove_per_class[2]`).
 */
export function parseOptions<T>(schema: ZodType<T>, raw: unknown): T {
  const value = raw === undefined || raw === null ? {} : raw;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError('options', `options must be a JSON object, got ${describe(value)}`);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues: InputIssue[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ path: joinPath([...issue.path, key]), message: `Unknown field '${key}'` });
      }
      continue;
    }
    const path = joinPath(issue.path);
    issues.push({ path, message: `${path || 'options'}: ${issue.message}` });
  }
  const first = issues[0]!;
  throw new InputError(first.path.split(/[.[]/)[0] || 'options', first.message, { path: first.path, issues });
}

function joinPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** num_to_remove_per_class needs one count per class; checked before any computation. */
export function checkNumToRemovePerClass(ntr: readonly number[] | undefined, k: number): void {
  if (ntr !== undefined && ntr.length !== k) {
    throw new InputError('num_to_remove_per_class', `num_to_remove_per_class has ${ntr.length} entries; give one count per class (${k})`);
  }
}

/** The flagged-set options of a request (filter_by, frac_noise, …) in the core's terms. */
export function findOptionsOf(o: {
  filter_by: FilterBy;
  frac_noise: number;
  min_examples_per_class: number;
  num_to_remove_per_class?: number[] | undefined;
}): FindLabelIssuesOptions & { filterBy: FilterBy } {
  return {
    filterBy: o.filter_by,
    fracNoise: o.frac_noise,
    minExamplesPerClass: o.min_examples_per_class,
    ...(o.num_to_remove_per_class ? { numToRemovePerClass: o.num_to_remove_per_class } : {}),
  };
}
