// The one catalogue of Redis-exact error replies (without the leading '-').
// Texts are Redis 7.0.15's, checked against redis-server by the compat suite.

export const ERR = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noSuchKey: 'ERR no such key',
  dbIndexOutOfRange: 'ERR DB index is out of range',
  invalidDbIndex: 'ERR invalid DB index',
  sameObject: 'ERR source and destination objects are the same',
  overflow: 'ERR increment or decrement would overflow',
  nanOrInfinity: 'ERR increment would produce NaN or Infinity',
  invalidCursor: 'ERR invalid cursor',
  hashNotInteger: 'ERR hash value is not an integer',
  hashNotFloat: 'ERR hash value is not a float',
  nanOrInfinityValue: 'ERR value is NaN or Infinity',
  outOfRange: 'ERR value is out of range',
  mustBePositive: 'ERR value is out of range, must be positive',
  numkeysPositive: 'ERR numkeys should be greater than 0',
  numkeysTooMany: "ERR Number of keys can't be greater than number of args",
  limitNegative: "ERR LIMIT can't be negative",
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNotConfigured:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  noProto: 'NOPROTO unsupported protocol version',
  protoNotInteger: 'ERR Protocol version is not an integer or out of range',
  multiNested: 'ERR MULTI calls can not be nested',
  execWithoutMulti: 'ERR EXEC without MULTI',
  discardWithoutMulti: 'ERR DISCARD without MULTI',
  watchInMulti: 'ERR WATCH inside MULTI is not allowed',
  notAllowedInMulti: 'ERR Command not allowed inside a transaction',
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  timeoutNotFloat: 'ERR timeout is not a float or out of range',
  timeoutNegative: 'ERR timeout is negative',
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  noScript: 'NOSCRIPT No matching script. Please use EVAL.',
  loading: 'LOADING Redis is loading the dataset in memory',
  decrementOverflow: 'ERR decrement would overflow',
  offsetOutOfRange: 'ERR offset is out of range',
  lcsNotStrings: 'ERR The specified keys must contain string values',
  lcsLenAndIdx: 'ERR If you want both the length and indexes, please just use IDX.',
  lcsTooLong: 'ERR String too long for LCS',
  lcsExceedsLimit: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
  expireNxAndOthers: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  expireGtAndLt: 'ERR GT and LT options at the same time are not compatible',
  lfuNotSelected:
    'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  lfuSelected:
    'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  zaddXxAndNx: 'ERR XX and NX options at the same time are not compatible',
  zaddGtLtNx: 'ERR GT, LT, and/or NX options at the same time are not compatible',
  zaddIncrPair: 'ERR INCR option supports a single increment-element pair',
  scoreNaN: 'ERR resulting score is not a number (NaN)',
  minMaxNotFloat: 'ERR min or max is not a float',
  minMaxNotLex: 'ERR min or max not valid string range item',
  limitNeedsByScoreOrLex: 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
  withscoresWithByLex: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
  weightNotFloat: 'ERR weight value is not a float',
  countPositive: 'ERR count should be greater than 0',
} as const;

export function wrongArity(fullName: string): string {
  return `ERR wrong number of arguments for '${fullName}' command`;
}

/** getRangeLongFromObjectOrReply's message for a value outside [min, max]. */
export function outOfRangeBetween(min: number | bigint, max: number | bigint): string {
  return `ERR value is out of range, value must between ${min} and ${max}`;
}

/** ZUNION/ZINTER/ZDIFF (and their STORE forms, ZINTERCARD) with numkeys below 1. */
export function noInputKeys(fullName: string): string {
  return `ERR at least 1 input key is needed for '${fullName}' command`;
}

export function invalidExpireTime(command: string): string {
  return `ERR invalid expire time in '${command}' command`;
}

export function unknownSubcommand(sub: string, container: string): string {
  return `ERR unknown subcommand '${truncate(sub, 128)}'. Try ${container.toUpperCase()} HELP.`;
}

/** "unknown command 'FOO', with args beginning with: 'a' 'b' " (server.c processCommand). */
export function unknownCommand(argv: Buffer[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${truncate(argv[i].toString('latin1'), 128 - args.length)}' `;
  }
  return `ERR unknown command '${truncate(argv[0].toString('latin1'), 128)}', with args beginning with: ${args}`;
}

export function notAllowedWhileSubscribed(name: string): string {
  return `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

export function misconf(reason: string): string {
  return `MISCONF Errors writing to the AOF file: ${reason}`;
}

/** Cuts s to max chars and, as Redis does for error texts, shows CR/LF as spaces. */
function truncate(s: string, max: number): string {
  return s.slice(0, max).replace(/[\r\n]/g, ' ');
}

/** EXPIRE's unknown option: Redis prints it with %s (up to a NUL byte), CR/LF as spaces. */
export function unsupportedOption(option: Buffer): string {
  const nul = option.indexOf(0);
  const text = option.toString('latin1', 0, nul < 0 ? option.length : nul);
  return `ERR Unsupported option ${text.replace(/[\r\n]/g, ' ')}`;
}
