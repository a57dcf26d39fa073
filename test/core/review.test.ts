/**
 * The review aggregation rule (review.md §4), Wilson intervals and the blind queue order,
 * against hand-worked cases.
 */
import t from 'tap';
import { majority, reviewOrder, summarizeReviews, wilson, type Verdict } from '../../src/core/review.js';

const close = (t: { ok(v: boolean, m: string): void }, got: number | undefined, want: number, msg: string) => t.ok(got !== undefined && Math.abs(got - want) < 5e-6, `${msg}: ${got} ≈ ${want}`);

t.test('Wilson 95% intervals (worked by hand, z = 1.959964)', async (t) => {
  // 5/10: centre 0.5, half = 1.959964/1.384146 · √(0.025 + 0.0096037) = 0.263407
  const a = wilson(5, 10)!;
  t.equal(a.value, 0.5);
  close(t, a.low, 0.236593, '5/10 low');
  close(t, a.high, 0.763407, '5/10 high');
  // 1/1: centre (1 + 1.920730)/4.841459 = 0.603296, half 0.396704 → [0.206549, 1]
  const b = wilson(1, 1)!;
  close(t, b.low, 0.206549, '1/1 low');
  t.equal(b.high, 1);
  // 0/4: low clamps to 0, high = 2 · 0.244945 = 0.489891
  const c = wilson(0, 4)!;
  t.equal(c.low, 0);
  close(t, c.high, 0.489891, '0/4 high');
  // 2/3: centre (0.666667 + 0.640243)/2.280486 = 0.573085, half 0.859451 · √0.180781 = 0.365426
  const d = wilson(2, 3)!;
  close(t, d.low, 0.207660, '2/3 low');
  close(t, d.high, 0.938508, '2/3 high');
  t.equal(wilson(0, 0), null, 'no trials → null');
});

t.test('majority: strictly more than half of the verdicts', async (t) => {
  t.equal(majority([3, 3, null]).winner, 3, '2 of 3');
  t.equal(majority([3, null]).winner, undefined, '1 of 2 is not a strict majority');
  t.equal(majority([2, 2, 3, 3]).winner, undefined, 'a tie');
  t.equal(majority([null, null, 1]).winner, null, 'null can win');
  t.equal(majority([4]).winner, 4, 'one verdict');
  t.equal(majority([1, 1, 1, 2, 2]).winner, 1, '3 of 5');
  t.equal(majority([1, 1, 2, 3, null]).winner, undefined, '2 of 5');
});

// N = 10, flagged {1, 4, 7}, given labels 0 1 2 0 1 2 0 1 2 0.
const given = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
const flagged = new Set([1, 4, 7]);
const verdicts: Verdict[] = [
  { index: 1, reviewer: 'ana', label: 2 },
  { index: 1, reviewer: 'bo', label: 2 },
  { index: 1, reviewer: 'cy', label: 1 }, // 2 of 3 say 2 → relabelled to 2
  { index: 4, reviewer: 'ana', label: 1 },
  { index: 4, reviewer: 'bo', label: 1 }, // given → confirmed
  { index: 7, reviewer: 'ana', label: null },
  { index: 7, reviewer: 'bo', label: 0 }, // no strict majority → dropped
  { index: 3, reviewer: 'ana', label: 0 }, // control, given → confirmed
  { index: 5, reviewer: 'ana', label: 1 },
  { index: 5, reviewer: 'bo', label: 1 },
  { index: 5, reviewer: 'cy', label: 2 }, // control relabelled to 1
];
const input = (minReviews?: number) => ({
  verdicts,
  givenLabel: (i: number) => given[i]!,
  isFlagged: (i: number) => flagged.has(i),
  numExamples: 10,
  numFlagged: 3,
  ...(minReviews ? { minReviews } : {}),
});

t.test('summary of a hand-worked review', async (t) => {
  const s = summarizeReviews(input());
  t.match(s, {
    reviewed: 5,
    confirmed: 2,
    relabelled: 2,
    dropped: 1,
    flagged_reviewed: 3,
    flagged_errors: 2,
    controls_reviewed: 2,
    control_errors: 1,
  });
  t.same(s.verified_corrections, [
    { index: 1, label: 2 },
    { index: 5, label: 1 },
    { index: 7, label: null },
  ]);
  close(t, s.precision!.value, 2 / 3, 'precision');
  close(t, s.precision!.low, 0.207660, 'precision low');
  close(t, s.control_error_rate!.value, 0.5, 'control rate');
  // 2/3 · 3 flagged + 1/2 · 7 unflagged = 5.5
  close(t, s.estimated_label_errors!.value, 5.5, 'estimate');
  // low: 0.207660 · 3 + wilson(1,2).low · 7
  const r = wilson(1, 2)!;
  close(t, s.estimated_label_errors!.low, 0.207660 * 3 + r.low * 7, 'estimate low');
  close(t, s.estimated_label_errors!.high, 0.938508 * 3 + r.high * 7, 'estimate high');
  t.same(s.per_reviewer, [
    { reviewer: 'ana', verdicts: 5, agreement_with_majority: 1 }, // index 7 has no majority: not counted
    { reviewer: 'bo', verdicts: 4, agreement_with_majority: 1 },
    { reviewer: 'cy', verdicts: 2, agreement_with_majority: 0 },
  ]);
});

t.test('min_reviews leaves out indices with fewer verdicts', async (t) => {
  const s = summarizeReviews(input(2));
  t.equal(s.reviewed, 4, 'index 3 (one verdict) left out');
  t.equal(s.controls_reviewed, 1);
  t.equal(s.control_errors, 1);
  t.equal(s.per_reviewer[0]!.verdicts, 4);
  const none = summarizeReviews(input(4));
  t.equal(none.reviewed, 0);
  t.equal(none.precision, null);
  t.equal(none.control_error_rate, null);
  t.equal(none.estimated_label_errors, null);
  t.same(none.verified_corrections, []);
});

t.test('without reviewed controls the unflagged rows contribute 0', async (t) => {
  const s = summarizeReviews({ ...input(), verdicts: verdicts.filter((v) => flagged.has(v.index)) });
  t.equal(s.control_error_rate, null);
  close(t, s.estimated_label_errors!.value, 2, '2/3 · 3');
});

t.test('review order: flagged worst first with seeded controls at seeded positions', async (t) => {
  const fl = [9, 2, 40, 7, 33];
  const a = reviewOrder(fl, 100, 0.1, 42);
  t.same(reviewOrder(fl, 100, 0.1, 42), a, 'same seed → same queue');
  t.equal(a.length, 5 + 10, 'round(0.1 · 95) controls');
  t.same(
    a.filter((i) => fl.includes(i)),
    fl,
    'flagged rows keep their order',
  );
  const controls = a.filter((i) => !fl.includes(i));
  t.equal(new Set(controls).size, 10, 'distinct controls');
  t.ok(controls.every((i) => i >= 0 && i < 100));
  t.notSame(reviewOrder(fl, 100, 0.1, 43), a, 'another seed → another queue');
  t.same(reviewOrder(fl, 100, 0, 42), fl, 'no controls: the flagged rows');
  t.equal(reviewOrder(fl, 100, 1, 1).length, 100, 'controls = 1: every row');
});
