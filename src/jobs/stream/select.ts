/**
 * Bounded selection (streaming.md §1.4): "the first m rows of a stable ascending ARGSORT
 * of key" is exactly "the m smallest (key, row) pairs in lexicographic order". A max-heap
 * of capacity m keeps them while rows stream by; each entry carries what later steps need
 * (suggested label, near-argmax flag, ranking score) so no extra pass is required.
 * Storage is struct-of-arrays, grown on demand up to the capacity.
 */

export interface SelectedRow {
  index: number;
  score: number;
  given: number;
  suggested: number;
  nearArgmax: boolean;
}

export class BoundedSelection {
  readonly capacity: number;
  private size = 0;
  private key: Float64Array;
  private idx: Float64Array;
  private score: Float64Array;
  private given: Int32Array;
  private sugg: Int32Array;
  private near: Uint8Array;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError(`BoundedSelection: bad capacity ${capacity}`);
    this.capacity = capacity;
    if (capacity === 0) this.bound = -Infinity;
    const init = Math.min(capacity, 64);
    this.key = new Float64Array(init);
    this.idx = new Float64Array(init);
    this.score = new Float64Array(init);
    this.given = new Int32Array(init);
    this.sugg = new Int32Array(init);
    this.near = new Uint8Array(init);
  }

  get length(): number {
    return this.size;
  }

  /** Bytes held (for the memory budget). */
  get bytes(): number {
    return this.key.length * 33;
  }

  /** (a, ia) > (b, ib) in the lexicographic order (key, row); NaN keys sort last like numpy. */
  private static greater(a: number, ia: number, b: number, ib: number): boolean {
    if (a === b) return ia > ib;
    if (a !== a) return b === b || ia > ib; // NaN is the largest key
    if (b !== b) return false;
    return a > b;
  }

  /**
   * Largest key a row arriving later (with a higher index) may have to enter: the root's
   * key once full (+Infinity before, -Infinity for capacity 0). Rows stream in increasing
   * index, so for them `accepts(key, index)` is `key < bound` — a cheap test for hot loops.
   */
  bound = Infinity;

  /** Would a row with this key (arriving with this index) enter the selection? */
  accepts(key: number, index: number): boolean {
    if (this.capacity === 0) return false;
    if (this.size < this.capacity) return true;
    return BoundedSelection.greater(this.key[0]!, this.idx[0]!, key, index);
  }

  /** Offer a row; call only when `accepts` is true (so payloads are computed lazily). */
  insert(key: number, index: number, score: number, given: number, suggested: number, nearArgmax: boolean): void {
    if (this.size < this.capacity) {
      if (this.size === this.key.length) this.grow();
      let i = this.size++;
      // sift up
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!BoundedSelection.greater(key, index, this.key[p]!, this.idx[p]!)) break;
        this.move(p, i);
        i = p;
      }
      this.set(i, key, index, score, given, suggested, nearArgmax);
      if (this.size === this.capacity) this.bound = this.key[0]!;
      return;
    }
    // replace the root (the largest) and sift down
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && BoundedSelection.greater(this.key[r]!, this.idx[r]!, this.key[l]!, this.idx[l]!) ? r : l;
      if (!BoundedSelection.greater(this.key[c]!, this.idx[c]!, key, index)) break;
      this.move(c, i);
      i = c;
    }
    this.set(i, key, index, score, given, suggested, nearArgmax);
    this.bound = this.key[0]!;
  }

  private grow(): void {
    const cap = Math.min(this.capacity, Math.max(64, this.key.length * 2));
    this.key = grown(this.key, cap);
    this.idx = grown(this.idx, cap);
    this.score = grown(this.score, cap);
    this.given = grown(this.given, cap);
    this.sugg = grown(this.sugg, cap);
    this.near = grown(this.near, cap);
  }

  private move(from: number, to: number): void {
    this.key[to] = this.key[from]!;
    this.idx[to] = this.idx[from]!;
    this.score[to] = this.score[from]!;
    this.given[to] = this.given[from]!;
    this.sugg[to] = this.sugg[from]!;
    this.near[to] = this.near[from]!;
  }

  private set(i: number, key: number, index: number, score: number, given: number, suggested: number, nearArgmax: boolean): void {
    this.key[i] = key;
    this.idx[i] = index;
    this.score[i] = score;
    this.given[i] = given;
    this.sugg[i] = suggested;
    this.near[i] = nearArgmax ? 1 : 0;
  }

  /** The selected rows in increasing row index. */
  rows(): SelectedRow[] {
    const out: SelectedRow[] = [];
    for (let i = 0; i < this.size; i++) {
      out.push({ index: this.idx[i]!, score: this.score[i]!, given: this.given[i]!, suggested: this.sugg[i]!, nearArgmax: this.near[i] === 1 });
    }
    out.sort((a, b) => a.index - b.index);
    return out;
  }

  /** Append every selected row to `out` with the family tag `fam`. */
  appendTo(out: SelectionEntries, fam: number): void {
    for (let i = 0; i < this.size; i++) {
      out.push(this.idx[i]!, this.score[i]!, this.given[i]!, this.sugg[i]!, this.near[i]!, fam);
    }
  }

  /** Selected row indices, increasing. */
  indices(): Float64Array {
    return this.idx.slice(0, this.size).sort();
  }
}

type GrowableArray = Float64Array | Int32Array | Uint8Array;

/** A copy of `a` with room for `cap` elements (for growable struct-of-arrays lists). */
export function grown<T extends GrowableArray>(a: T, cap: number): T {
  const b = new (a.constructor as new (length: number) => T)(cap);
  b.set(a);
  return b;
}

/** Growable struct-of-arrays of selected rows from several selections (for merging). */
export class SelectionEntries {
  index = new Float64Array(256);
  score = new Float64Array(256);
  given = new Int32Array(256);
  suggested = new Int32Array(256);
  near = new Uint8Array(256);
  fam = new Uint8Array(256);
  length = 0;

  push(index: number, score: number, given: number, suggested: number, near: number, fam: number): void {
    if (this.length === this.index.length) {
      const cap = this.length * 2;
      this.index = grown(this.index, cap);
      this.score = grown(this.score, cap);
      this.given = grown(this.given, cap);
      this.suggested = grown(this.suggested, cap);
      this.near = grown(this.near, cap);
      this.fam = grown(this.fam, cap);
    }
    const i = this.length++;
    this.index[i] = index;
    this.score[i] = score;
    this.given[i] = given;
    this.suggested[i] = suggested;
    this.near[i] = near;
    this.fam[i] = fam;
  }
}
