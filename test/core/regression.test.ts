/**
 * Regression parity: every entry of every test/fixtures/regression file (cleanlab 2.9's
 * `regression.rank.get_label_quality_scores`, raises included) — scores within 1e-9 and the
 * `outre` diagnostics (scaling factor, average KNN distances) within 1e-9.
 */
import t from 'tap';
import { getLabelQualityScores, type OutreDiagnostics } from '../../src/core/regression.js';
import { diffClose } from '../helpers/tolerance.js';
import { entryLabel, runEntry, taskFixtures } from '../helpers/task-fixtures.js';

for (const fx of taskFixtures('regression')) {
  t.test(fx.file, async (t) => {
    let checked = 0;
    for (const [fn, entries] of Object.entries(fx.expected)) {
      entries.forEach((e, i) => {
        const label = entryLabel(fx, fn, i, e);
        t.equal(fn, 'rank.get_label_quality_scores', `${label}: known function`);
        const labels = e.args ? e.args['labels'] : fx['labels'];
        const predictions = e.args ? e.args['predictions'] : fx['predictions'];
        let diag: OutreDiagnostics | undefined;
        const method = (e.kwargs as { method?: string } | null)?.method;
        const r = runEntry(() =>
          getLabelQualityScores(labels, predictions, { ...(method !== undefined ? { method } : {}), diagnostics: (d) => (diag = d) }),
        );
        if (e.raises) {
          t.ok(r.error, `${label}: raises`);
          t.equal(r.error?.message, e.message, `${label}: message`);
        } else {
          t.notOk(r.error, `${label}: no raise (${r.error?.message})`);
          t.same(diffClose(r.value, e.result), [], `${label}: scores`);
          if (e.diagnostics_outre) {
            const want = e.diagnostics_outre;
            t.same(
              diffClose(
                { ...diag, avg_knn_distances: Array.from(diag?.avg_knn_distances ?? []) },
                want,
              ),
              [],
              `${label}: outre diagnostics`,
            );
          }
        }
        checked++;
      });
    }
    t.equal(checked, Object.values(fx.expected).reduce((a, es) => a + es.length, 0), 'every entry ran');
  });
}
