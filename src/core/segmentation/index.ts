/**
 * Semantic segmentation (cleanlab `segmentation`, spec task-types.md Part C): rank, filter
 * and summary functions with cleanlab's names, on flat N×H×W / N×K×H×W arrays.
 */
export * from './data.js';
export * from './rank.js';
export * from './filter.js';
export * from './summary.js';
