/** src/io: decoders (.npy, JSON, Arrow) and the api.md §1 validation, in one import. */
export * from './npy.js';
export * from './validate.js';
export * from './json.js';
export * from './arrow.js';
export * from './ingest.js';
export { float16ToFloat32, numberToFloat16Bits } from './float16.js';
