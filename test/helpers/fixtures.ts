/**
 * Loaders for the fixtures copied into test/fixtures/<set>/ (parity, multilabel,
 * multiannotator, npy), and for the cleanlab parity fixtures in particular (format:
 * ../fixtures/parity README; originally ../shared/fixtures/README.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probMatrix, type ProbMatrix } from '../../src/core/types.js';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Absolute path of test/fixtures/<set>/<file> (or of the set's folder). */
export function fixturePath(set: string, file = ''): string {
  return join(FIXTURES_DIR, set, file);
}

/** The `.json` files of a fixture set, sorted. */
export function fixtureFiles(set: string): string[] {
  return readdirSync(fixturePath(set))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** A JSON fixture file of a set, parsed (`file` with or without `.json`). */
export function loadFixture<T = Record<string, any>>(set: string, file: string): T {
  const name = file.endsWith('.json') ? file : `${file}.json`;
  return JSON.parse(readFileSync(fixturePath(set, name), 'utf8')) as T;
}


export interface FixtureEntry {
  kwargs?: Record<string, unknown> | null;
  result?: unknown;
  result_stable_sort?: unknown;
  tie_sensitive?: boolean;
  raises?: string;
  message?: string;
  warnings?: string[];
  output?: 'mask' | 'indices';
  num_issues?: number;
}

export interface ParityFixture {
  file: string;
  name: string;
  num_examples: number;
  num_classes: number;
  labels: number[];
  pred_probs: number[][];
  expected: Record<string, FixtureEntry | FixtureEntry[]>;
}

export function parityFiles(): string[] {
  return fixtureFiles('parity');
}

export function loadParityFixture(file: string): ParityFixture {
  return { ...loadFixture<Omit<ParityFixture, 'file'>>('parity', file), file };
}

/** Entries of one expected function as a list. */
export function entriesOf(e: FixtureEntry | FixtureEntry[]): FixtureEntry[] {
  return Array.isArray(e) ? e : [e];
}

/** labels as Int32Array and pred_probs as a row-major Float64Array ProbMatrix. */
export function toInputs(fx: ParityFixture): { labels: Int32Array; pp: ProbMatrix } {
  const n = fx.num_examples;
  const k = fx.num_classes;
  const labels = Int32Array.from(fx.labels);
  const data = new Float64Array(n * k);
  fx.pred_probs.forEach((row, i) => {
    if (row.length !== k) throw new Error(`${fx.file}: pred_probs row ${i} has ${row.length} values`);
    data.set(row, i * k);
  });
  if (labels.length !== n) throw new Error(`${fx.file}: ${labels.length} labels, expected ${n}`);
  return { labels, pp: probMatrix(data, n, k) };
}
