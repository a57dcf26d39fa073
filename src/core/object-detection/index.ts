export * from './data.js';
export * from './geometry.js';
export * from './scores.js';
export * from './matching.js';
export * from './filter.js';
export * from './summary.js';
