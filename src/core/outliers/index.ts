export * from './features.js';
export * from './pred-probs.js';
export * from './ood.js';
