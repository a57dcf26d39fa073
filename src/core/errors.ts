/**
 * Input errors raised by the engine, the io layer and the service layer. They carry the
 * field and, where it applies, the first offending row/column, so every transport
 * (HTTP problem+json, CLI stderr, job error) can name them. No HTTP knowledge here:
 * src/api maps them to 400.
 */
export interface InputIssue {
  /** Field path as the caller wrote it: `pred_probs[17]`, `labels[3]`, `filter_by`. */
  path: string;
  message: string;
}

export class InputError extends Error {
  override readonly name = 'InputError';
  readonly issues: InputIssue[];
  /** The top-level field, e.g. `pred_probs`. */
  readonly field: string;
  readonly row: number | undefined;
  readonly column: number | undefined;

  constructor(
    field: string,
    message: string,
    where: { row?: number; column?: number; path?: string; issues?: InputIssue[] } = {},
  ) {
    super(message);
    this.field = field;
    this.row = where.row;
    this.column = where.column;
    const path =
      where.path ??
      field + (where.row !== undefined ? `[${where.row}]` : '') + (where.column !== undefined ? `[${where.column}]` : '');
    this.issues = where.issues && where.issues.length > 0 ? where.issues : [{ path, message }];
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
