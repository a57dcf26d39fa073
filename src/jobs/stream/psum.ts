/**
 * numpy's pairwise sum computed from a stream of values whose count is known in advance
 * (streaming.md §1.3(a)). The tree shape of numpy's pairwise summation depends only on the
 * length, so the values can arrive one at a time (row chunk after row chunk) and the
 * result is bit-identical to `pairwiseSum` over the whole sequence (src/core/numeric.ts).
 * Memory: O(log n) — the path from the root to the current leaf.
 */

const LEAF = 128;

interface Frame {
  /** Length of the left child. */
  h: number;
  /** Length of the right child (this node's length − h). */
  rightLen: number;
  /** Value of the left child once it is complete. */
  left: number;
  inRight: boolean;
}

export class StreamingPairwiseSum {
  readonly length: number;
  private seen = 0;
  private frames: Frame[] = [];
  private done = false;
  private value = 0.0;
  // current leaf
  private leafLen = 0;
  private pos = 0;
  private shortRoot = false;
  private r0 = 0;
  private r1 = 0;
  private r2 = 0;
  private r3 = 0;
  private r4 = 0;
  private r5 = 0;
  private r6 = 0;
  private r7 = 0;
  private s = 0;
  private m = 0;

  constructor(length: number) {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`StreamingPairwiseSum: bad length ${length}`);
    this.length = length;
    if (length === 0) {
      this.done = true;
      this.value = 0.0;
    } else if (length < 8) {
      this.shortRoot = true;
      this.leafLen = length;
      this.s = 0.0;
    } else {
      this.descend(length);
    }
  }

  /** Walk down left children from a node of length len to its leftmost leaf. */
  private descend(len: number): void {
    while (len > LEAF) {
      let h = Math.floor(len / 2);
      h -= h % 8;
      this.frames.push({ h, rightLen: len - h, left: 0, inRight: false });
      len = h;
    }
    this.leafLen = len;
    this.pos = 0;
    this.m = len - (len % 8);
  }

  /** Add the next value of the sequence. */
  push(x: number): void {
    if (this.done) throw new RangeError(`StreamingPairwiseSum: more than ${this.length} values`);
    this.seen++;
    if (this.shortRoot) {
      this.s += x;
      if (++this.pos === this.leafLen) {
        this.done = true;
        this.value = this.s;
      }
      return;
    }
    const p = this.pos;
    if (p < 8) {
      switch (p) {
        case 0: this.r0 = x; break;
        case 1: this.r1 = x; break;
        case 2: this.r2 = x; break;
        case 3: this.r3 = x; break;
        case 4: this.r4 = x; break;
        case 5: this.r5 = x; break;
        case 6: this.r6 = x; break;
        default: this.r7 = x;
      }
    } else if (p < this.m) {
      switch (p & 7) {
        case 0: this.r0 += x; break;
        case 1: this.r1 += x; break;
        case 2: this.r2 += x; break;
        case 3: this.r3 += x; break;
        case 4: this.r4 += x; break;
        case 5: this.r5 += x; break;
        case 6: this.r6 += x; break;
        default: this.r7 += x;
      }
    } else {
      this.s += x;
    }
    this.pos = p + 1;
    if (this.pos === this.m) {
      this.s = this.r0 + this.r1 + (this.r2 + this.r3) + (this.r4 + this.r5 + (this.r6 + this.r7));
    }
    if (this.pos === this.leafLen) this.finishLeaf(this.s);
  }

  private finishLeaf(v: number): void {
    // Climb: a completed left child waits for its sibling; a completed right child
    // completes its parent (left + right).
    for (;;) {
      const f = this.frames[this.frames.length - 1];
      if (f === undefined) {
        this.done = true;
        this.value = v;
        return;
      }
      if (!f.inRight) {
        f.left = v;
        f.inRight = true;
        this.descend(f.rightLen);
        return;
      }
      v = f.left + v;
      this.frames.pop();
    }
  }

  /** Values received so far. */
  get count(): number {
    return this.seen;
  }

  /** The sum; all `length` values must have been pushed. */
  result(): number {
    if (!this.done) throw new RangeError(`StreamingPairwiseSum: got ${this.seen} of ${this.length} values`);
    return this.value;
  }
}
