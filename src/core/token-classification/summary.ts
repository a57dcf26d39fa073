/**
 * cleanlab `token_classification.summary` data functions (spec task-types.md A5, A6).
 * `top` and `verbose` only affect cleanlab's printing: the returned tables are complete.
 */
import { firstArgmax } from '../numeric.js';
import { sentenceOffsets, type TokenClassificationData, type TokenIssue } from './data.js';

export interface TokenCountRecord {
  token: string;
  num_label_issues: number;
}
export interface TokenPairRecord {
  token: string;
  given_label: number | string;
  predicted_label: number | string;
  num_label_issues: number;
}

/** Python's `sorted(rows, key=count, reverse=True)`: stable, equal counts keep their order (N4). */
function byCountDescending<T extends { num_label_issues: number }>(rows: T[]): T[] {
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.num_label_issues - a.r.num_label_issues || a.i - b.i)
    .map((x) => x.r);
}

/**
 * cleanlab `common_label_issues(issues, tokens, labels=…, pred_probs=…, class_names=…,
 * exclude=…)`. Without `data` (labels or pred_probs missing): how often each word is
 * flagged. With it: per word and (given, predicted) class pair, pairs listed in `exclude`
 * not counted; labels as class ids, or class names when given.
 */
export function commonLabelIssues(
  issues: readonly TokenIssue[],
  tokens: readonly (readonly string[])[],
  opts: { data?: TokenClassificationData | null; classNames?: readonly string[] | null; exclude?: readonly (readonly [number, number])[] } = {},
): TokenCountRecord[] | TokenPairRecord[] {
  const data = opts.data;
  if (!data || data.labels.length === 0) {
    const counts = new Map<string, number>();
    for (const [i, j] of issues) {
      const word = tokens[i]![j]!;
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    return byCountDescending(Array.from(counts, ([token, num_label_issues]) => ({ token, num_label_issues })));
  }
  const n = data.pp.k;
  const off = sentenceOffsets(data.sentenceLengths);
  const excluded = new Set((opts.exclude ?? []).map(([g, p]) => `${g},${p}`));
  const perWord = new Map<string, Float64Array>();
  const d = data.pp.data;
  for (const [i, j] of issues) {
    const f = off[i]! + j;
    const g = data.labels[f]!;
    const p = firstArgmax(d, f * n, n);
    const word = tokens[i]![j]!;
    let m = perWord.get(word);
    if (!m) perWord.set(word, (m = new Float64Array(n * n)));
    if (!excluded.has(`${g},${p}`)) m[g * n + p]!++;
  }
  const names = opts.classNames;
  const rows: TokenPairRecord[] = [];
  for (const [token, m] of perWord) {
    for (let g = 0; g < n; g++) {
      for (let p = 0; p < n; p++) {
        const c = m[g * n + p]!;
        if (c > 0) {
          rows.push({
            token,
            given_label: names ? names[g]! : g,
            predicted_label: names ? names[p]! : p,
            num_label_issues: c,
          });
        }
      }
    }
  }
  return byCountDescending(rows);
}

/** cleanlab `filter_by_token(token, issues, tokens)`: the issues whose word equals `token` ignoring case. */
export function filterByToken(token: string, issues: readonly TokenIssue[], tokens: readonly (readonly string[])[]): TokenIssue[] {
  const want = token.toLowerCase();
  return issues.filter(([i, j]) => tokens[i]![j]!.toLowerCase() === want);
}
