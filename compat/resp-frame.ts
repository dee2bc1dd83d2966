// Finds where one RESP2/RESP3 reply ends, so replies can be cut out of a
// stream as exact bytes without decoding them.

const CR = 13;
const LF = 10;

/** Types whose frame is a single line: simple string, error, integer, null, double, boolean, big number. */
const LINE_TYPES = new Set('+-:_,#('.split('').map((c) => c.charCodeAt(0)));
/** Types with a length line and that many bytes: bulk string, bulk error, verbatim string. */
const BULK_TYPES = new Set('$!='.split('').map((c) => c.charCodeAt(0)));
/** Aggregates of N frames: array, set, push. */
const ARRAY_TYPES = new Set('*~>'.split('').map((c) => c.charCodeAt(0)));
const MAP = '%'.charCodeAt(0);
const ATTRIBUTE = '|'.charCodeAt(0);

/**
 * Returns the offset just past the complete reply frame starting at `offset`
 * in buf, or -1 when buf does not hold all of it yet. An attribute (`|`) is
 * part of the reply it precedes. Throws when the bytes are not RESP.
 */
export function frameEnd(buf: Buffer, offset: number): number {
  let pos = offset;
  // Frames still to read: aggregates add their elements as they are opened.
  let pending = 1;
  while (pending > 0) {
    const lineEnd = buf.indexOf(CR, pos);
    if (lineEnd < 0 || lineEnd + 1 >= buf.length) return -1;
    if (buf[lineEnd + 1] !== LF) throw new Error(`CR without LF at offset ${lineEnd}`);
    const type = buf[pos];
    const next = lineEnd + 2;
    pending--;
    if (LINE_TYPES.has(type)) {
      pos = next;
      continue;
    }
    const length = Number(buf.toString('latin1', pos + 1, lineEnd));
    if (!Number.isInteger(length)) throw new Error(`bad length at offset ${pos}`);
    if (BULK_TYPES.has(type)) {
      if (length < 0) pos = next;
      else if (next + length + 2 > buf.length) return -1;
      else pos = next + length + 2;
    } else if (ARRAY_TYPES.has(type)) {
      pending += Math.max(length, 0);
      pos = next;
    } else if (type === MAP || type === ATTRIBUTE) {
      // An attribute's key/value pairs are followed by the reply they describe.
      pending += 2 * length + (type === ATTRIBUTE ? 1 : 0);
      pos = next;
    } else {
      throw new Error(`unknown RESP type byte 0x${type.toString(16)} at offset ${pos}`);
    }
  }
  return pos;
}
