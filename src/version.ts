// The Redis version VelocityDB speaks (clients and tools check it), and our own.
import { readFileSync } from 'node:fs';

export const REDIS_VERSION = '7.0.15';
export const VELOCITYDB_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
