// The value of the name looked up last, for names given as bytes: pipelines
// repeat one command, and comparing a few bytes is cheaper than a string,
// its lowercase and a Map. Names are compared as sent (GET and get are two).

/** Names longer than this are looked up each time. */
export const MAX_NAME = 16;

export class LastName<T> {
  private readonly name = new Uint8Array(MAX_NAME);
  private length = -1;
  private value: T | undefined;

  constructor(private readonly lookup: (buf: Buffer, start: number, end: number) => T) {}

  /** lookup(buf, start, end), or what it gave for the same bytes last time. */
  get(buf: Buffer, start: number, end: number): T {
    const length = end - start;
    const name = this.name;
    if (length === this.length) {
      let i = 0;
      while (i < length && buf[start + i] === name[i]) i++;
      if (i === length) return this.value as T;
    }
    const value = this.lookup(buf, start, end);
    if (length <= MAX_NAME) {
      for (let i = 0; i < length; i++) name[i] = buf[start + i];
      this.length = length;
      this.value = value;
    }
    return value;
  }
}
