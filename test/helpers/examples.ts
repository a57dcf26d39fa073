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

/** A token-classification example (3 sentences, K = 3): token (0, 2) and (2, 1) look mislabelled. */
export const TOKEN_LABELS: number[][] = [[0, 1, 1], [2], [0, 0]];
export const TOKEN_PRED_PROBS: number[][][] = [
  [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.7, 0.2, 0.1]],
  [[0.2, 0.2, 0.6]],
  [[0.6, 0.3, 0.1], [0.1, 0.1, 0.8]],
];
export const TOKEN_TOKENS: string[][] = [['Alice', 'met', 'Bob'], ['Paris'], ['in', 'Lima']];

/** A segmentation example: two 2×2 images, K = 2; pixel (1, 0, 1) looks mislabelled. */
export const SEG_LABELS: number[][][] = [
  [[0, 0], [1, 1]],
  [[0, 1], [1, 1]],
];
export const SEG_PRED_PROBS: number[][][][] = [
  [[[0.9, 0.8], [0.2, 0.1]], [[0.1, 0.2], [0.8, 0.9]]],
  [[[0.9, 0.95], [0.1, 0.2]], [[0.1, 0.05], [0.9, 0.8]]],
];
