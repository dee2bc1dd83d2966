// A command as a RESP array of bulk strings (log records, replication-style rewrites).

export function encodeCommand(argv: readonly (Buffer | string)[]): Buffer {
  let size = 0;
  const parts = argv.map((arg) => (typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg));
  const header = `*${parts.length}\r\n`;
  size += header.length;
  for (const part of parts) size += String(part.length).length + part.length + 5;
  const out = Buffer.allocUnsafe(size);
  let pos = out.write(header, 0, 'latin1');
  for (const part of parts) {
    pos += out.write(`$${part.length}\r\n`, pos, 'latin1');
    pos += part.copy(out, pos);
    pos += out.write('\r\n', pos, 'latin1');
  }
  return out;
}
