/**
 * The worked examples of the specs, shared by the core, service, CLI and API tests (not a
 * test file itself). Plain JSON-shaped arrays: wrap them as each test needs.
 */

/** The running example of confident-learning.md §2 (also corrected-accuracy.md §3.2). */
export const RUNNING_LABELS: number[] = [0, 0, 1, 1, 2, 2];
export const RUNNING_PRED_PROBS: number[][] = [
  [0.1, 0.1, 0.8],
  [0.85, 0.1, 0.05],
  [0.45, 0.2, 0.35],
  [0.35, 0.4, 0.25],
  [0.05, 0.5, 0.45],
  [0.5, 0.15, 0.35],
];

/** The multi-label running example (multilabel-and-multiannotator.md A2). */
export const MULTILABEL_LABELS: number[][] = [[0], [0, 1], [1], [2], [1, 2], []];
export const MULTILABEL_PRED_PROBS: number[][] = [
  [0.9, 0.2, 0.1],
  [0.8, 0.1, 0.2],
  [0.1, 0.9, 0.3],
  [0.2, 0.3, 0.2],
  [0.1, 0.8, 0.9],
  [0.7, 0.1, 0.1],
];

/** The multi-annotator running example (multilabel-and-multiannotator.md B3): null = not labelled. */
export const MULTIANNOTATOR_LABELS: (number | null)[][] = [
  [0, 0, 1],
  [1, 1, null],
  [2, null, 2],
  [0, 1, null],
  [null, 2, 1],
  [1, 1, 1],
];
export const MULTIANNOTATOR_PRED_PROBS: number[][] = [
  [0.7, 0.2, 0.1],
  [0.1, 0.8, 0.1],
  [0.2, 0.2, 0.6],
  [0.3, 0.6, 0.1],
  [0.1, 0.3, 0.6],
  [0.2, 0.5, 0.3],
];
