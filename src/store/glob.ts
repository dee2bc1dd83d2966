// Redis's glob matcher (util.c stringmatchlen), byte for byte, including its
// quirks: an unterminated '[' class, reversed ranges, a trailing '\', ranges
// compared as C signed chars, and the nesting limit of 1000 '*' that Redis
// added against abusive patterns. Pattern and subject are latin1 strings (one
// char per byte).

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const CARET = 94; // ^
const DASH = 45; // -
const BACKSLASH = 92; // \

const MAX_NESTING = 1000;

/** C `tolower` in the "C" locale. */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as x86's signed `char`. */
function signed(c: number): number {
  return c > 127 ? c - 256 : c;
}

/** True when a match of `pattern` must be tested: the bare `*` matches everything. */
export function isMatchAll(pattern: string): boolean {
  return pattern === '*';
}

export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  // Shared across the recursion, as Redis's skipLongerMatches: once the rest of
  // the pattern after a '*' fails from every position, earlier '*' cannot help.
  const state = { skipLonger: false };
  return match(pattern, 0, subject, 0, nocase, state, 0);
}

function match(
  pat: string,
  p: number,
  str: string,
  s: number,
  nocase: boolean,
  state: { skipLonger: boolean },
  nesting: number,
): boolean {
  if (nesting > MAX_NESTING) return false;
  const plen = pat.length;
  const slen = str.length;
  // Past the end reads the C string terminator.
  const at = (i: number): number => (i < plen ? pat.charCodeAt(i) : 0);

  while (p < plen && s < slen) {
    const c = pat.charCodeAt(p);
    if (c === STAR) {
      while (p < plen && at(p + 1) === STAR) p++;
      if (p === plen - 1) return true;
      for (; s < slen; s++) {
        if (match(pat, p + 1, str, s, nocase, state, nesting + 1)) return true;
        if (state.skipLonger) return false;
      }
      state.skipLonger = true;
      return false;
    } else if (c === QUESTION) {
      s++;
    } else if (c === OPEN) {
      p++;
      const not = at(p) === CARET;
      if (not) p++;
      const sc = str.charCodeAt(s);
      let matched = false;
      for (;;) {
        const pc = at(p);
        if (pc === BACKSLASH && plen - p >= 2) {
          p++;
          if (at(p) === sc) matched = true;
        } else if (pc === CLOSE) {
          break;
        } else if (p === plen) {
          // Unterminated class: the last pattern byte ends it.
          p--;
          break;
        } else if (plen - p >= 3 && at(p + 1) === DASH) {
          let start = signed(pc);
          let end = signed(at(p + 2));
          let ch = signed(sc);
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            ch = lower(ch);
          }
          p += 2;
          if (ch >= start && ch <= end) matched = true;
        } else if (nocase ? lower(pc) === lower(sc) : pc === sc) {
          matched = true;
        }
        p++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      s++;
    } else {
      if (c === BACKSLASH && plen - p >= 2) p++;
      const pc = pat.charCodeAt(p);
      const sc = str.charCodeAt(s);
      if (nocase ? lower(pc) !== lower(sc) : pc !== sc) return false;
      s++;
    }
    p++;
    if (s === slen) {
      while (at(p) === STAR) p++;
      break;
    }
  }
  return p === plen && s === slen;
}
