/**
 * `labelcheck --help`. Answering it must not load the service (zod, arrow, the engine): the
 * endpoint names are baked into the bundled CLI by scripts/build.mjs (esbuild `define`);
 * from the TypeScript sources or the tsc output they are read from the service.
 */
declare const __LABELCHECK_ENDPOINTS__: readonly string[] | undefined;

/** The endpoint command names (`labelcheck <name>`), in the service's order. */
export async function endpointNames(): Promise<readonly string[]> {
  if (typeof __LABELCHECK_ENDPOINTS__ !== 'undefined') return __LABELCHECK_ENDPOINTS__;
  const { ENDPOINTS } = await import('../service/index.js');
  return ENDPOINTS.map((e) => e.name);
}

export function usageText(endpoints: readonly string[]): string {
  return `labelcheck — find label errors with confident learning (exact to cleanlab 2.9)

Usage:
  labelcheck <endpoint> --input FILE|-          request body as JSON (file or stdin)
  labelcheck <endpoint> --pred-probs X.npy --labels Y.npy [options]
  labelcheck token-classification label-issues --input FILE    (any endpoint by its path /v1/…)
  labelcheck serve                              start the HTTP API (PORT, HOST, … from the environment)
  labelcheck worker                             run a process that only executes queued jobs
  labelcheck cv-pred-probs --features X.npy --labels Y.npy --out P.npy [--folds 5] [--seed 0]
                                                out-of-sample pred_probs from embeddings/features:
                                                stratified K-fold softmax regression (tfjs)
  labelcheck report <label-issues inputs> --out report.html [--examples examples.jsonl] [--title T]
                                                the HTML report (heatmap, class health, top issues)
  labelcheck endpoints                          list the endpoints

Endpoints: ${endpoints.map((e) => e.replace('/', ' ')).join(', ')}

Options with .npy input are the request's JSON fields in kebab case, e.g.
  --filter-by prune_by_class --rank-by normalized_margin --limit 20 --frac-noise 0.5
  --num-to-remove-per-class '[5,5,5]' --class-names '["cat","dog","fox"]' --include-scores
or all at once: --options '{"filter_by": "both"}'. Values are read as JSON when they parse,
else as strings; a flag without a value means true.

Output: the JSON response body on stdout (exit 0); invalid input: a problem JSON on stderr
(exit 2).`;
}
