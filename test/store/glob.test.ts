import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { globMatch, isMatchAll } from '../../src/store/glob.js';

// [pattern, subject, whether real Redis 7.0.15 KEYS matches]; a bare '*' goes
// through KEYS's match-all shortcut, so it matches the empty key too.
const redisCases: [string, string, boolean][] = [
  ['**', '', false],
  ['', '', true],
  ['?', '', false],
  ['a*', 'a', true],
  ['a*b', 'ab', true],
  ['a*b', 'axxb', true],
  ['a*b', 'axxbc', false],
  ['h?llo', 'hello', true],
  ['h?llo', 'hllo', false],
  ['h[ae]llo', 'hallo', true],
  ['h[ae]llo', 'hillo', false],
  ['h[^e]llo', 'hallo', true],
  ['h[^e]llo', 'hello', false],
  ['h[a-b]llo', 'hbllo', true],
  ['h[b-a]llo', 'hallo', true],
  ['[z-a]', 'm', true],
  ['[a-z', '-', false],
  ['[a-z', 'z', true],
  ['[abc', 'c', true],
  ['[abc', '[', false],
  ['[', '[', false],
  ['[', '', false],
  ['[]', 'x', false],
  ['[^]', 'x', true],
  ['[\\]]', ']', true],
  ['[\\', '\\', true],
  ['\\', '\\', true],
  ['a\\', 'a\\', true],
  ['\\*', '*', true],
  ['\\*', 'x', false],
  ['\\?', '?', true],
  ['\\?', 'x', false],
  ['*\\*', 'abc*', true],
  ['[a-]', '-', false],
  ['[-a]', '-', true],
  ['[a\\-z]', 'b', false],
  ['[a\\-z]', '-', true],
  // Range bounds are C signed chars: 0x80..0xff sort below 'a'.
  ['[\x80-\xff]', 'a', false],
  ['[a-\xff]', '\xff', true],
  ['[a-\xff]', 'b', false],
  ['[a-\xff]', 'A', true],
  ['[\x00-a]', '\x80', false],
  ['*a*a*a*a*b', 'a'.repeat(33), false],
  ['a*', 'b', false],
  ['*?', 'x', true],
  ['?*', '', false],
  ['*[', 'a[', false],
  ['x[^', '', false],
  ['[^', 'a', true],
  ['[^', '^', true],
];

test('matches as real Redis KEYS does', () => {
  for (const [pattern, subject, expected] of redisCases) {
    assert.is(globMatch(pattern, subject), expected, `${JSON.stringify(pattern)} ~ ${JSON.stringify(subject)}`);
  }
});

test('a bare * is the match-all shortcut; the matcher itself rejects the empty subject', () => {
  assert.ok(isMatchAll('*'));
  assert.not.ok(isMatchAll('**'));
  assert.not.ok(globMatch('*', ''));
  assert.ok(globMatch('*', 'anything'));
});

test('nocase folds ASCII letters only, in literals, classes and ranges', () => {
  assert.ok(globMatch('HeLLo', 'hello', true));
  assert.not.ok(globMatch('HeLLo', 'hello'));
  assert.ok(globMatch('h[E]llo', 'hello', true));
  assert.ok(globMatch('[A-C]', 'b', true));
  assert.ok(globMatch('\\H*', 'hx', true));
  assert.not.ok(globMatch('\xc0', '\xe0', true));
});

test('more than 1000 nested stars never match (Redis abuse guard)', () => {
  const subject = 'a'.repeat(1450);
  assert.ok(globMatch('a*'.repeat(1000) + 'a', subject));
  assert.not.ok(globMatch('a*'.repeat(1001) + 'a', subject));
});

test('a hopeless pattern with many stars fails fast', () => {
  const started = Date.now();
  assert.not.ok(globMatch('*a'.repeat(50) + 'b', 'a'.repeat(5000)));
  assert.ok(Date.now() - started < 1000);
});

test.run();
