/**
 * Parity with cleanlab 2.9 `segmentation` (spec task-types.md Part C, and the batched
 * inspector of Part B): every entry of every fixture in test/fixtures/segmentation/, raises
 * included, under the stable tie rule (→ result_stable_sort where tie-sensitive) and numpy's
 * introsort (→ result); plus the inspector's recorded running thresholds, bit for bit.
 */
import t from 'tap';
import {
  commonLabelIssues,
  filterByClass,
  findLabelIssues,
  getLabelQualityScores,
  inspectPixels,
  issuesFromScores,
  resolveBatchSize,
  segmentationDataFromNested,
  type SegmentationData,
} from '../../src/core/segmentation/index.js';
import { fixtureFiles, loadTaskFixture, reshape, runTaskFixtureSuite, type TaskFixture, type TaskRunner } from '../helpers/fixtures.js';
import { diffExact } from '../helpers/tolerance.js';

interface Ctx {
  fx: TaskFixture;
  d: SegmentationData;
}

type Kw = Record<string, unknown>;

function flatMask(v: unknown): Uint8Array {
  return Uint8Array.from((v as unknown[]).flat(2) as boolean[], (b) => (b ? 1 : 0));
}

function checkInputs(ctx: Ctx, kw: Kw, names: string[]): void {
  for (const name of names) if (kw[name] !== ctx.fx[name]) throw new Error(`${name} is not the file's input`);
}

const imageShape = (d: SegmentationData): number[] => [d.n, d.h, d.w];

const RUNNERS: Record<string, TaskRunner<Ctx>> = {
  'rank.get_label_quality_scores': {
    kwargs: ['method', 'temperature', 'downsample', 'batch_size'],
    kind: 'float',
    run: ({ d }, kw, ties) => {
      const warnings: string[] = [];
      const r = getLabelQualityScores(d, {
        ...(kw.method !== undefined ? { method: kw.method as string } : {}),
        ...(kw.temperature !== undefined ? { temperature: kw.temperature as number } : {}),
        ...(kw.downsample !== undefined ? { downsample: kw.downsample as number } : {}),
        ...(kw.batch_size !== undefined ? { batchSize: kw.batch_size as number } : {}),
        tieOrder: ties,
        warnings,
      });
      return { value: { image_scores: Array.from(r.imageScores), pixel_scores: reshape(r.pixelScores!, imageShape(d)) }, warnings };
    },
  },
  'rank.issues_from_scores': {
    kwargs: ['image_scores', 'pixel_scores', 'threshold'],
    kind: 'exact',
    run: ({ d }, kw, ties) => {
      const pixel = kw.pixel_scores === undefined ? null : Float64Array.from((kw.pixel_scores as number[][][]).flat(2));
      const r = issuesFromScores(kw.image_scores as number[], {
        pixelScores: pixel,
        ...(kw.threshold !== undefined ? { threshold: kw.threshold as number } : {}),
        tieOrder: ties,
      });
      return { value: pixel ? reshape(r, imageShape(d), true) : Array.from(r) };
    },
  },
  'filter.find_label_issues': {
    kwargs: ['downsample', 'batch_size'],
    kind: 'exact',
    run: ({ d }, kw, ties) => {
      const mask = findLabelIssues(d, {
        ...(kw.downsample !== undefined ? { downsample: kw.downsample as number } : {}),
        ...(kw.batch_size !== undefined ? { batchSize: kw.batch_size as number } : {}),
        tieOrder: ties,
      });
      return { value: reshape(mask, imageShape(d), true) };
    },
  },
  'summary.common_label_issues': {
    kwargs: ['issues', 'labels', 'pred_probs', 'class_names', 'exclude', 'top', 'verbose'],
    kind: 'exact',
    run: (ctx, kw) => {
      if (kw.verbose !== false) throw new Error('verbose must be false');
      checkInputs(ctx, kw, ['labels', 'pred_probs']);
      const value = commonLabelIssues(flatMask(kw.issues), ctx.d, {
        classNames: (kw.class_names as string[] | undefined) ?? null,
        exclude: (kw.exclude as number[] | undefined) ?? null,
        top: (kw.top as number | undefined) ?? null,
      });
      return { value };
    },
  },
  'summary.filter_by_class': {
    kwargs: ['class_index', 'issues', 'labels', 'pred_probs'],
    kind: 'exact',
    run: (ctx, kw) => {
      checkInputs(ctx, kw, ['labels', 'pred_probs']);
      return { value: reshape(filterByClass(kw.class_index as number | number[], flatMask(kw.issues), ctx.d), imageShape(ctx.d), true) };
    },
  },
};

runTaskFixtureSuite(t, 'segmentation', (fx) => ({ fx, d: segmentationDataFromNested(fx.labels, fx.pred_probs) }), RUNNERS);

interface InspectorDiagnostic {
  kwargs: { batch_size?: number; downsample?: number };
  images_per_batch: number;
  confident_thresholds: number[];
  num_issues_estimate: number;
}

t.test('batched inspector: running thresholds bit-identical to cleanlab (diagnostics.label_inspector)', async (t) => {
  let checked = 0;
  for (const file of fixtureFiles('segmentation')) {
    const fx = loadTaskFixture('segmentation', file);
    const d = segmentationDataFromNested(fx.labels, fx.pred_probs);
    for (const diag of (fx.diagnostics as { label_inspector: InspectorDiagnostic[] }).label_inspector) {
      const r = inspectPixels(d, diag.kwargs.downsample ?? 1, resolveBatchSize(diag.kwargs.batch_size), 'stable');
      const label = `${file} ${JSON.stringify(diag.kwargs)}`;
      t.equal(r.imagesPerBatch, diag.images_per_batch, `${label}: images per batch`);
      t.same(diffExact(Array.from(r.thresholds), diag.confident_thresholds), [], `${label}: thresholds (exact)`);
      t.equal(r.numIssues, diag.num_issues_estimate, `${label}: issue count`);
      checked++;
    }
  }
  t.ok(checked >= 3, `${checked} recorded inspector runs checked`);
});
