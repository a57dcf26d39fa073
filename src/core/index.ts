/**
 * labelcheck's confident-learning engine (pure, typed arrays, exact to cleanlab 2.9 with a
 * stable tie rule). Mirrors cleanlab's split: count, filter, rank, dataset.
 */
export * from './types.js';
export * from './errors.js';
export * from './numeric.js';
export * from './argsort.js';
export * from './count.js';
export * from './rank.js';
export * from './filter.js';
export * from './dataset.js';
