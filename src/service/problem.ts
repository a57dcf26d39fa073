/**
 * RFC 9457 problem details for every transport: the HTTP error handler and the CLI both
 * build their bodies here, so a bad request reads the same everywhere.
 */
import { InputError, type InputIssue } from '../core/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: InputIssue[];
  [extra: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(slug: string): string {
  return `urn:labelcheck:problem:${slug}`;
}

export function makeProblem(
  status: number,
  slug: string,
  title: string,
  detail: string,
  extra: Omit<Partial<Problem>, 'type' | 'title' | 'status' | 'detail'> = {},
): Problem {
  return { type: problemType(slug), title, status, detail, ...extra };
}

/** 400: the request's data or options are invalid. */
export function inputErrorProblem(err: InputError, instance?: string): Problem {
  return makeProblem(400, 'invalid-input', 'Invalid input', err.message, {
    ...(instance ? { instance } : {}),
    errors: err.issues,
  });
}
