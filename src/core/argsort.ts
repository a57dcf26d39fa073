/**
 * Sorting with cleanlab's keys and a defined tie rule (spec §0 R5, §11, §13).
 *
 * - `argsortStable`: ascending, equal keys keep increasing index, NaN last, −0 equals +0.
 *   This is the service's documented tie rule. Large inputs use an LSD radix sort of the
 *   keys' sortable bit patterns (stable by construction, O(n)).
 * - `argsortNumpy`: numpy 1.24's portable introsort (spec §13), bit-for-bit; used by the
 *   tests to reproduce cleanlab's own tie order on the reference machine.
 * - `smallestStable`: the set of the first m indices of `argsortStable` in O(n) (selection).
 */

/** Which argsort resolves ties: the documented stable rule, or numpy 1.24's introsort. */
export type TieOrder = 'stable' | 'numpy';

/** numpy's `less` for floats: NaN sorts last. */
function less(a: number, b: number): boolean {
  return a < b || (b !== b && a === a);
}

// ---------------------------------------------------------------------------------------
// Reference argsort (spec §13)

/** Stable insertion sort of idx[lo..hi) by key (numpy's `less`), as numpy's small-run sort. */
function insertionSortIdx(v: ArrayLike<number>, idx: Int32Array, lo: number, hi: number): void {
  for (let a = lo + 1; a < hi; a++) {
    const x = idx[a]!;
    const vx = v[x]!;
    let b = a;
    while (b > lo && less(vx, v[idx[b - 1]!]!)) {
      idx[b] = idx[b - 1]!;
      b--;
    }
    idx[b] = x;
  }
}

/** numpy's heapsort sift-down: place tmp from a[i] down a heap of a[1..m] (a[i] = idx[base + i]). */
function siftDown(v: ArrayLike<number>, idx: Int32Array, base: number, tmp: number, i: number, m: number): void {
  let j = i << 1;
  while (j <= m) {
    if (j < m && less(v[idx[base + j]!]!, v[idx[base + j + 1]!]!)) j += 1;
    if (less(v[tmp]!, v[idx[base + j]!]!)) {
      idx[base + i] = idx[base + j]!;
      i = j;
      j += j;
    } else break;
  }
  idx[base + i] = tmp;
}

function heapsortIdx(v: ArrayLike<number>, idx: Int32Array, lo: number, hi: number): void {
  // a[1..m] denotes idx[lo..hi]; a[i] = idx[lo + i - 1]
  let m = hi - lo + 1;
  const base = lo - 1;
  for (let l = m >> 1; l > 0; l--) siftDown(v, idx, base, idx[base + l]!, l, m);
  while (m > 1) {
    const tmp = idx[base + m]!;
    idx[base + m] = idx[base + 1]!;
    m -= 1;
    siftDown(v, idx, base, tmp, 1, m);
  }
}

/** numpy 1.24 `np.argsort(v)` (default kind, portable introsort), spec §13. */
export function argsortNumpy(keys: ArrayLike<number>): Int32Array {
  const n = keys.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n <= 1) return idx;
  const v = keys;
  const swap = (a: number, b: number): void => {
    const t = idx[a]!;
    idx[a] = idx[b]!;
    idx[b] = t;
  };
  const stack: number[] = [];
  let lo = 0;
  let hi = n - 1;
  let depth = 2 * (31 - Math.clz32(n)); // 2 * floor(log2(n)) (npy_get_msb)
  for (;;) {
    if (depth < 0) {
      heapsortIdx(v, idx, lo, hi);
    } else {
      while (hi - lo > 15) {
        const mid = lo + ((hi - lo) >> 1);
        if (less(v[idx[mid]!]!, v[idx[lo]!]!)) swap(mid, lo);
        if (less(v[idx[hi]!]!, v[idx[mid]!]!)) swap(hi, mid);
        if (less(v[idx[mid]!]!, v[idx[lo]!]!)) swap(mid, lo);
        const pivot = v[idx[mid]!]!;
        let i = lo;
        let j = hi - 1;
        swap(mid, j);
        for (;;) {
          do i++;
          while (less(v[idx[i]!]!, pivot));
          do j--;
          while (less(pivot, v[idx[j]!]!));
          if (i >= j) break;
          swap(i, j);
        }
        swap(i, hi - 1);
        depth -= 1;
        if (i - lo < hi - i) {
          stack.push(i + 1, hi, depth);
          hi = i - 1;
        } else {
          stack.push(lo, i - 1, depth);
          lo = i + 1;
        }
      }
      insertionSortIdx(v, idx, lo, hi + 1);
    }
    if (stack.length === 0) return idx;
    depth = stack.pop()!;
    hi = stack.pop()!;
    lo = stack.pop()!;
  }
}

// ---------------------------------------------------------------------------------------
// Stable argsort

const SMALL_SORT = 1024;

/** Stable merge sort of idx by key (numpy `less`: NaN last, −0 == +0). */
function mergeSortIdx(v: ArrayLike<number>, idx: Int32Array): void {
  const n = idx.length;
  // insertion sort runs of 16, then bottom-up merges
  const RUN = 16;
  for (let lo = 0; lo < n; lo += RUN) {
    insertionSortIdx(v, idx, lo, Math.min(lo + RUN, n));
  }
  if (n <= RUN) return;
  let src: Int32Array = idx;
  let dst: Int32Array = new Int32Array(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let o = lo;
      while (i < mid && j < hi) {
        // take from the right only when strictly less: stability
        if (less(v[src[j]!]!, v[src[i]!]!)) dst[o++] = src[j++]!;
        else dst[o++] = src[i++]!;
      }
      while (i < mid) dst[o++] = src[i++]!;
      while (j < hi) dst[o++] = src[j++]!;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== idx) idx.set(src);
}

/**
 * Sortable 64-bit patterns (hi, lo words) of float64 keys: unsigned order of (hi, lo) equals
 * numeric order; −0 maps to +0; every NaN maps to the largest pattern (sorts last).
 */
function sortableBits(keys: ArrayLike<number>, n: number): { hi: Uint32Array; lo: Uint32Array } {
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = keys[i]! + 0; // −0 + 0 = +0
  const u = new Uint32Array(f.buffer);
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const x = f[i]!;
    let h = u[2 * i + 1]!;
    let l = u[2 * i]!;
    if (x !== x) {
      h = 0xffffffff;
      l = 0xffffffff;
    } else if (h >>> 31) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | 0x80000000) >>> 0;
    }
    hi[i] = h;
    lo[i] = l;
  }
  return { hi, lo };
}

// digit layout: (word, shift, bits)
const DIGITS: ReadonlyArray<readonly [0 | 1, number, number]> = [
  [0, 0, 11],
  [0, 11, 11],
  [0, 22, 10],
  [1, 0, 11],
  [1, 11, 11],
  [1, 22, 10],
];

/** LSD radix sort: ascending by (hi, lo), stable. */
function radixArgsort(keys: ArrayLike<number>, n: number): Int32Array {
  let { hi, lo }: { hi: Uint32Array; lo: Uint32Array } = sortableBits(keys, n);
  let idx: Int32Array = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let hi2: Uint32Array = new Uint32Array(n);
  let lo2: Uint32Array = new Uint32Array(n);
  let idx2: Int32Array = new Int32Array(n);
  // all histograms in one pass
  const hist = new Int32Array(6 * 2048);
  for (let i = 0; i < n; i++) {
    const l = lo[i]!;
    const h = hi[i]!;
    hist[l & 2047]!++;
    hist[2048 + ((l >>> 11) & 2047)]!++;
    hist[4096 + (l >>> 22)]!++;
    hist[6144 + (h & 2047)]!++;
    hist[8192 + ((h >>> 11) & 2047)]!++;
    hist[10240 + (h >>> 22)]!++;
  }
  for (let d = 0; d < 6; d++) {
    const [word, shift, bits] = DIGITS[d]!;
    const base = d * 2048;
    const size = 1 << bits;
    const mask = size - 1;
    // skip a pass whose digit is the same for every key
    let trivial = false;
    for (let b = 0; b < size; b++) {
      const c = hist[base + b]!;
      if (c === n) {
        trivial = true;
        break;
      }
      if (c !== 0) break;
    }
    if (trivial) continue;
    // exclusive prefix sums
    let sum = 0;
    for (let b = 0; b < size; b++) {
      const c = hist[base + b]!;
      hist[base + b] = sum;
      sum += c;
    }
    const src = word === 0 ? lo : hi;
    const moveLo = word === 0; // once the low word is done, it need not move any more
    for (let i = 0; i < n; i++) {
      const dig = (src[i]! >>> shift) & mask;
      const p = hist[base + dig]!++;
      idx2[p] = idx[i]!;
      hi2[p] = hi[i]!;
      if (moveLo) lo2[p] = lo[i]!;
    }
    let t32 = idx;
    idx = idx2;
    idx2 = t32;
    let tu = hi;
    hi = hi2;
    hi2 = tu;
    if (moveLo) {
      tu = lo;
      lo = lo2;
      lo2 = tu;
    }
  }
  return idx;
}

/** Stable ascending argsort: ties keep increasing index; NaN last; −0 equals +0. */
export function argsortStable(keys: ArrayLike<number>): Int32Array {
  const n = keys.length;
  if (n > SMALL_SORT) return radixArgsort(keys, n);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n > 1) mergeSortIdx(keys, idx);
  return idx;
}

/** Argsort under the chosen tie rule. */
export function argsortBy(keys: ArrayLike<number>, ties: TieOrder = 'stable'): Int32Array {
  return ties === 'numpy' ? argsortNumpy(keys) : argsortStable(keys);
}

// ---------------------------------------------------------------------------------------
// Selection

/** Insertion sort of a[lo..hi] (inclusive), no NaN. */
function insertionSortValues(a: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

/** Value of the k-th smallest (0-based) of a[0..len) (no NaN); reorders a. Expected O(len). */
export function selectKth(a: Float64Array, len: number, k: number): number {
  let lo = 0;
  let hi = len - 1;
  let guard = 0;
  while (hi > lo) {
    if (hi - lo < 16) {
      insertionSortValues(a, lo, hi);
      return a[k]!;
    }
    if (++guard > 64) {
      a.subarray(lo, hi + 1).sort();
      return a[k]!;
    }
    const mid = (lo + hi) >>> 1;
    // median of three
    let x = a[lo]!;
    let y = a[mid]!;
    let z = a[hi]!;
    let p: number;
    if (x > y) {
      const t = x;
      x = y;
      y = t;
    }
    if (y > z) y = z;
    p = x > y ? x : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < p) i++;
      while (a[j]! > p) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Describes the first m entries of a stable ascending argsort without sorting: every key
 * `< pivot`, then the first `eqTake` keys `== pivot` (in index order), then the first
 * `nanTake` NaN keys. `all` means every non-NaN key is taken.
 */
export interface SelectionCut {
  all: boolean;
  pivot: number;
  eqTake: number;
  nanTake: number;
}

/**
 * Compute the cut for the m smallest of keys[0..n) under the stable rule. `scratch` must
 * hold at least n values (it is overwritten).
 */
export function stableCut(keys: ArrayLike<number>, n: number, m: number, scratch: Float64Array): SelectionCut {
  if (m <= 0) return { all: false, pivot: -Infinity, eqTake: 0, nanTake: 0 };
  let nn = 0;
  for (let i = 0; i < n; i++) {
    const v = keys[i]!;
    if (v === v) scratch[nn++] = v;
  }
  if (m >= nn) return { all: true, pivot: Infinity, eqTake: 0, nanTake: Math.min(m - nn, n - nn) };
  const pivot = selectKth(scratch, nn, m - 1);
  let less = 0;
  for (let i = 0; i < nn; i++) if (scratch[i]! < pivot) less++;
  return { all: false, pivot, eqTake: m - less, nanTake: 0 };
}

/** Apply a cut: call-free loop writing 1 into out[map ? map[i] : i] for selected i. */
export function markCut(
  keys: ArrayLike<number>,
  n: number,
  cut: SelectionCut,
  out: Uint8Array,
  map?: Int32Array,
  mapOffset = 0,
): void {
  let eq = cut.eqTake;
  let nan = cut.nanTake;
  const all = cut.all;
  const pivot = cut.pivot;
  for (let i = 0; i < n; i++) {
    const v = keys[i]!;
    let take = false;
    if (v !== v) {
      if (nan > 0) {
        nan--;
        take = true;
      }
    } else if (all || v < pivot) take = true;
    else if (v === pivot && eq > 0) {
      eq--;
      take = true;
    }
    if (take) out[map ? map[mapOffset + i]! : i] = 1;
  }
}

/**
 * The set of the first m indices of `argsortStable(keys)`, in increasing index order,
 * computed by O(n) selection.
 */
export function smallestStable(keys: ArrayLike<number>, m: number): Int32Array {
  const n = keys.length;
  if (m >= n) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  if (m <= 0) return new Int32Array(0);
  const flags = new Uint8Array(n);
  markCut(keys, n, stableCut(keys, n, m, new Float64Array(n)), flags);
  const out = new Int32Array(m);
  let c = 0;
  for (let i = 0; i < n; i++) if (flags[i]) out[c++] = i;
  return out;
}

/**
 * Mark the first m of ARGSORT(keys[0..n)) under `ties` in `out` (via `map` if given).
 * The stable rule uses O(n) selection; the numpy rule sorts with the reference introsort.
 */
export function markSmallest(
  keys: Float64Array | Float32Array,
  n: number,
  m: number,
  ties: TieOrder,
  scratch: Float64Array,
  out: Uint8Array,
  map?: Int32Array,
  mapOffset = 0,
): void {
  if (m <= 0) return;
  if (ties === 'numpy') {
    const ord = argsortNumpy(keys.subarray(0, n));
    const e = Math.min(m, n);
    for (let i = 0; i < e; i++) out[map ? map[mapOffset + ord[i]!]! : ord[i]!] = 1;
    return;
  }
  if (m >= n) {
    for (let i = 0; i < n; i++) out[map ? map[mapOffset + i]! : i] = 1;
    return;
  }
  markCut(keys, n, stableCut(keys, n, m, scratch), out, map, mapOffset);
}

/**
 * Insert (d, i) into the running selection key/idx[0..len) of the m best values seen so far
 * — the smallest when `smallest`, else the largest — kept best first; a value equal to one
 * already kept goes after it (the first visited wins ties). Returns the new length.
 */
export function keepBest(key: Float64Array, idx: Int32Array, len: number, m: number, d: number, i: number, smallest: boolean): number {
  if (len === m && !(smallest ? d < key[m - 1]! : d > key[m - 1]!)) return len;
  let p = len < m ? len++ : m - 1;
  while (p > 0 && (smallest ? d < key[p - 1]! : d > key[p - 1]!)) {
    key[p] = key[p - 1]!;
    idx[p] = idx[p - 1]!;
    p--;
  }
  key[p] = d;
  idx[p] = i;
  return len;
}
