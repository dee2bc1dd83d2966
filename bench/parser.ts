// The request parser against redis-parser (the usual JS RESP parser) on the
// same bytes: pipelines of 1, 16, 128 and 1000 SET commands, and one 16 MiB
// value arriving in 64 KB chunks. Prints commands/s for both and the ratio.
//   npm run build && npm run bench:parser
import RedisParser from 'redis-parser';

// The build in dist/, as the server runs it: under tsx's transform of src/
// the parser measured five to ten times slower than built.
const { RequestParser } = (await import(new URL('../dist/resp/parser.js', import.meta.url).href)) as typeof import('../src/resp/parser.js');

const ROUNDS_BUDGET_MS = 1500;

function pipeline(depth: number): Buffer {
  let text = '';
  for (let i = 0; i < depth; i++) text += `*3\r\n$3\r\nSET\r\n$${`key:${i}`.length}\r\nkey:${i}\r\n$3\r\nxyz\r\n`;
  return Buffer.from(text);
}

function bigValue(): Buffer[] {
  const value = Buffer.alloc(16 * 1024 * 1024, 'v');
  const whole = Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${value.length}\r\n`), value, Buffer.from('\r\n')]);
  const chunks: Buffer[] = [];
  for (let i = 0; i < whole.length; i += 65536) chunks.push(whole.subarray(i, i + 65536));
  return chunks;
}

/** Commands per second feeding `chunks` repeatedly into a parser made by `make`. */
function measure(chunks: Buffer[], commandsPerRound: number, make: (onCommand: () => void) => (chunk: Buffer) => void): number {
  let commands = 0;
  const feed = make(() => commands++);
  // Warm up, then time whole rounds.
  for (let i = 0; i < 20; i++) for (const chunk of chunks) feed(chunk);
  commands = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ROUNDS_BUDGET_MS) {
    for (const chunk of chunks) feed(chunk);
    elapsed = performance.now() - started;
  }
  if (commands % commandsPerRound !== 0) throw new Error('a parser lost commands');
  return (commands * 1000) / elapsed;
}

const ours = (onCommand: () => void) => {
  const parser = new RequestParser({ command: onCommand, protocolError: (m) => { throw new Error(m); }, unauthenticated: false });
  return (chunk: Buffer) => parser.feed(chunk);
};
const theirs = (onCommand: () => void) => {
  const parser = new RedisParser({ returnReply: onCommand, returnError: (e) => { throw e; }, returnBuffers: true });
  return (chunk: Buffer) => parser.execute(chunk);
};

const cases: [string, Buffer[], number][] = [
  ...[1, 16, 128, 1000].map((depth): [string, Buffer[], number] => [`pipeline of ${depth}`, [pipeline(depth)], depth]),
  ['16 MiB value in 64 KB chunks', bigValue(), 1],
];

console.log('| input | VelocityDB parser (cmd/s) | redis-parser (cmd/s) | ratio |');
console.log('|---|---:|---:|---:|');
for (const [name, chunks, perRound] of cases) {
  const a = measure(chunks, perRound, ours);
  const b = measure(chunks, perRound, theirs);
  console.log(`| ${name} | ${Math.round(a).toLocaleString('en-US')} | ${Math.round(b).toLocaleString('en-US')} | ${(a / b).toFixed(2)}x |`);
}
