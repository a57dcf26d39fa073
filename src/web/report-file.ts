/**
 * `labelcheck report … --out report.html` (review.md §2): the same page as
 * GET /v1/jobs/{id}/report, computed in process from label-issues inputs.
 */
import { labelIssuesOptionsSchema } from '../schemas/label-issues.js';
import { decodeClassification, jsonBodyObject } from '../service/input.js';
import { labelIssues } from '../service/label-issues.js';
import { reportData, type ReviewDataset } from '../service/review.js';
import type { Examples } from '../schemas/examples.js';
import type { RequestPayload } from '../service/types.js';
import { renderReport } from './report.js';

/** Add `examples` (e.g. from a JSON Lines file) to a label-issues payload. */
export function withExamples(payload: RequestPayload, examples: Examples): RequestPayload {
  switch (payload.kind) {
    case 'json':
    case 'json-bytes':
      return { kind: 'json', body: { ...jsonBodyObject(payload), examples } };
    case 'npy':
    case 'arrow':
      return { ...payload, options: { ...((payload.options as Record<string, unknown> | undefined) ?? {}), examples } };
  }
}

/** The report of a label-issues request; returns the page and the number of issues. */
export function reportFromPayload(payload: RequestPayload, title = 'Label issues'): { html: string; numLabelIssues: number } {
  const { arrays, options } = decodeClassification(payload, labelIssuesOptionsSchema);
  const body = labelIssues(arrays, { ...options, limit: 0 });
  const rows = body.label_issues as { index: number; label_quality: number }[];
  const flaggedSet = new Uint8Array(arrays.predProbs.n);
  for (const r of rows) flaggedSet[r.index] = 1;
  const dataset: ReviewDataset = { input: arrays, options, flagged: rows.map((r) => r.index), flaggedSet };
  const html = renderReport(
    reportData(dataset, body, {
      title,
      jobId: null,
      mediaRoot: false,
      reviews: null,
      reviewHref: null,
      quality: rows.map((r) => r.label_quality),
    }),
  );
  return { html, numLabelIssues: rows.length };
}
