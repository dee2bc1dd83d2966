// A growable ring buffer: the value of a Redis list. O(1) at both ends and by
// index; inserting or removing in the middle moves the shorter side.

const MIN_CAPACITY = 8;

export class Deque<T> {
  private slots: (T | undefined)[];
  private head = 0;
  private size = 0;

  constructor(items?: Iterable<T>) {
    this.slots = new Array(MIN_CAPACITY);
    if (items) for (const item of items) this.pushBack(item);
  }

  get length(): number {
    return this.size;
  }

  /** Slot of logical index i (capacity is a power of two). */
  private slot(i: number): number {
    return (this.head + i) & (this.slots.length - 1);
  }

  pushBack(value: T): void {
    if (this.size === this.slots.length) this.resize(this.slots.length * 2);
    this.slots[this.slot(this.size)] = value;
    this.size++;
  }

  pushFront(value: T): void {
    if (this.size === this.slots.length) this.resize(this.slots.length * 2);
    this.head = this.slot(this.slots.length - 1);
    this.slots[this.head] = value;
    this.size++;
  }

  popFront(): T | undefined {
    if (this.size === 0) return undefined;
    const value = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = this.slot(1);
    this.size--;
    this.shrinkIfSparse();
    return value;
  }

  popBack(): T | undefined {
    if (this.size === 0) return undefined;
    const at = this.slot(this.size - 1);
    const value = this.slots[at];
    this.slots[at] = undefined;
    this.size--;
    this.shrinkIfSparse();
    return value;
  }

  /** The element at index i (0 is the head), or undefined outside [0, length). */
  get(i: number): T | undefined {
    return i >= 0 && i < this.size ? this.slots[this.slot(i)] : undefined;
  }

  /** Replaces the element at index i; returns false when i is out of range. */
  set(i: number, value: T): boolean {
    if (i < 0 || i >= this.size) return false;
    this.slots[this.slot(i)] = value;
    return true;
  }

  /** Inserts before index i (i === length appends). */
  insert(i: number, value: T): void {
    if (i < 0 || i > this.size) throw new RangeError(`insert index ${i} out of range`);
    if (i === 0) return this.pushFront(value);
    if (i === this.size) return this.pushBack(value);
    if (this.size === this.slots.length) this.resize(this.slots.length * 2);
    if (i < this.size / 2) {
      this.head = this.slot(this.slots.length - 1);
      for (let k = 0; k < i; k++) this.slots[this.slot(k)] = this.slots[this.slot(k + 1)];
    } else {
      for (let k = this.size; k > i; k--) this.slots[this.slot(k)] = this.slots[this.slot(k - 1)];
    }
    this.slots[this.slot(i)] = value;
    this.size++;
  }

  /** Removes and returns the element at index i. */
  removeAt(i: number): T | undefined {
    if (i < 0 || i >= this.size) return undefined;
    const value = this.slots[this.slot(i)];
    if (i < this.size / 2) {
      for (let k = i; k > 0; k--) this.slots[this.slot(k)] = this.slots[this.slot(k - 1)];
      this.slots[this.head] = undefined;
      this.head = this.slot(1);
    } else {
      for (let k = i; k < this.size - 1; k++) this.slots[this.slot(k)] = this.slots[this.slot(k + 1)];
      this.slots[this.slot(this.size - 1)] = undefined;
    }
    this.size--;
    this.shrinkIfSparse();
    return value;
  }

  /** Drops up to n elements from the head. */
  dropFront(n: number): void {
    n = Math.min(n, this.size);
    for (let k = 0; k < n; k++) this.slots[this.slot(k)] = undefined;
    this.head = this.slot(n);
    this.size -= n;
    this.shrinkIfSparse();
  }

  /** Drops up to n elements from the tail. */
  dropBack(n: number): void {
    n = Math.min(n, this.size);
    for (let k = this.size - n; k < this.size; k++) this.slots[this.slot(k)] = undefined;
    this.size -= n;
    this.shrinkIfSparse();
  }

  /** LTRIM: keeps indexes [start, end] (already normalized); an empty range empties the deque. */
  trim(start: number, end: number): void {
    if (start > end || start >= this.size || end < 0) {
      this.clear();
      return;
    }
    this.dropBack(this.size - 1 - Math.min(end, this.size - 1));
    this.dropFront(Math.max(start, 0));
  }

  /**
   * LREM: removes elements for which `matches` holds, at most |count| of them,
   * scanning from the head when count > 0, from the tail when count < 0, and
   * removing all of them when count is 0. Returns how many were removed.
   */
  removeMatching(matches: (value: T) => boolean, count: number): number {
    const limit = count === 0 ? Infinity : Math.abs(count);
    const fromTail = count < 0;
    const n = this.size;
    let removed = 0;
    let kept = 0;
    // Compact in one pass toward the side the scan starts from.
    for (let k = 0; k < n; k++) {
      const i = fromTail ? n - 1 - k : k;
      const value = this.slots[this.slot(i)] as T;
      if (removed < limit && matches(value)) {
        removed++;
      } else {
        this.slots[this.slot(fromTail ? n - 1 - kept : kept)] = value;
        kept++;
      }
    }
    if (removed === 0) return 0;
    if (fromTail) {
      for (let i = 0; i < removed; i++) this.slots[this.slot(i)] = undefined;
      this.head = this.slot(removed);
    } else {
      for (let i = kept; i < n; i++) this.slots[this.slot(i)] = undefined;
    }
    this.size = kept;
    this.shrinkIfSparse();
    return removed;
  }

  clear(): void {
    this.slots = new Array(MIN_CAPACITY);
    this.head = 0;
    this.size = 0;
  }

  /** Elements from index `from` toward the tail, or toward the head when reverse. */
  *values(from?: number, reverse = false): IterableIterator<T> {
    if (reverse) {
      for (let i = Math.min(from ?? this.size - 1, this.size - 1); i >= 0; i--) yield this.slots[this.slot(i)] as T;
    } else {
      for (let i = Math.max(from ?? 0, 0); i < this.size; i++) yield this.slots[this.slot(i)] as T;
    }
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.values();
  }

  /** Elements of indexes [start, end] (already normalized and clamped), head to tail. */
  slice(start: number, end: number): T[] {
    const out: T[] = [];
    for (let i = Math.max(start, 0); i <= end && i < this.size; i++) out.push(this.slots[this.slot(i)] as T);
    return out;
  }

  private shrinkIfSparse(): void {
    if (this.slots.length > MIN_CAPACITY && this.size < this.slots.length / 4) this.resize(this.slots.length / 2);
  }

  private resize(capacity: number): void {
    const next: (T | undefined)[] = new Array(capacity);
    for (let i = 0; i < this.size; i++) next[i] = this.slots[this.slot(i)];
    this.slots = next;
    this.head = 0;
  }
}
