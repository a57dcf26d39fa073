/**
 * Token classification (cleanlab `token_classification`, spec task-types.md Part A):
 * rank, filter and summary functions with cleanlab's names, on flat token arrays.
 */
export * from './data.js';
export * from './rank.js';
export * from './filter.js';
export * from './summary.js';
