/**
 * Writes the small demo requests of the task-type routes (committed; deterministic):
 *   seeds/object-detection/request.json   40 images, 3 classes, 8 planted label errors
 *   seeds/regression/request.json         200 examples, 8 planted label errors
 *   seeds/outliers/request.json           300 × 8 features, 10 planted outliers
 * each with a truth.json naming the planted errors. Run: npx tsx seeds/tasks.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { featureData, objectDetectionData, regressionData } from './task-data.js';

const root = dirname(fileURLToPath(import.meta.url));

function write(dir: string, request: unknown, truth: unknown): void {
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, 'request.json'), JSON.stringify(request) + '\n');
  writeFileSync(join(root, dir, 'truth.json'), JSON.stringify(truth, null, 1) + '\n');
}

const od = objectDetectionData(40, 3, 4, 1401);
write('object-detection', { labels: od.labels, predictions: od.predictions, class_names: ['car', 'person', 'dog'], limit: 10 }, { injected: od.injected });

const reg = regressionData(200, 1402);
write('regression', { labels: reg.labels, predictions: reg.predictions, limit: 10 }, { injected: reg.injected });

const n = 300;
const d = 8;
const f = featureData(n, d, 1403);
const rows = Array.from({ length: n }, (_, i) => Array.from(f.features.subarray(i * d, (i + 1) * d), (v) => Math.round(v * 1000) / 1000));
write('outliers', { features: rows, limit: 10 }, { injected: f.injected });
