// Keyspace notifications (notify.c): with notify-keyspace-events set, a write
// publishes `__keyspace@<db>__:<key>` <event> and `__keyevent@<db>__:<event>`
// <key>. Commands call notify(server, NOTIFY.<class>, event, key, db) after
// each change, as Redis calls notifyKeyspaceEvent.
//
// The setting is read from config.notifyKeyspaceEvents (a string that CONFIG
// SET keeps canonical); its flags are parsed again only when that string
// changes, so a disabled setting costs one comparison per call.
import type { Server } from './server.js';
import { pubsubOf } from './pubsub.js';

export const NOTIFY = {
  keyspace: 1 << 0, // K
  keyevent: 1 << 1, // E
  generic: 1 << 2, // g
  string: 1 << 3, // $
  list: 1 << 4, // l
  set: 1 << 5, // s
  hash: 1 << 6, // h
  zset: 1 << 7, // z
  expired: 1 << 8, // x
  evicted: 1 << 9, // e
  stream: 1 << 10, // t
  keyMiss: 1 << 11, // m (not part of A)
  loaded: 1 << 12, // module only
  module: 1 << 13, // d
  new: 1 << 14, // n (not part of A)
} as const;

/** NOTIFY_ALL: g$lshzxetd. */
const ALL =
  NOTIFY.generic | NOTIFY.string | NOTIFY.list | NOTIFY.set | NOTIFY.hash | NOTIFY.zset | NOTIFY.expired | NOTIFY.evicted | NOTIFY.stream | NOTIFY.module;

const CLASS_FLAGS: Record<string, number> = {
  A: ALL,
  g: NOTIFY.generic,
  $: NOTIFY.string,
  l: NOTIFY.list,
  s: NOTIFY.set,
  h: NOTIFY.hash,
  z: NOTIFY.zset,
  x: NOTIFY.expired,
  e: NOTIFY.evicted,
  K: NOTIFY.keyspace,
  E: NOTIFY.keyevent,
  t: NOTIFY.stream,
  m: NOTIFY.keyMiss,
  d: NOTIFY.module,
  n: NOTIFY.new,
};

/** keyspaceEventsStringToFlags: the flags of a class string, or -1 on an unknown character. */
export function keyspaceEventsStringToFlags(classes: string): number {
  let flags = 0;
  for (const ch of classes) {
    const flag = CLASS_FLAGS[ch];
    if (flag === undefined) return -1;
    flags |= flag;
  }
  return flags;
}

let cachedText = '';
let cachedFlags = 0;

/** The parsed notify-keyspace-events of the server's config. */
export function keyspaceEventFlags(server: Server): number {
  const text = server.config.notifyKeyspaceEvents;
  if (text !== cachedText) {
    cachedText = text;
    cachedFlags = Math.max(0, keyspaceEventsStringToFlags(text));
  }
  return cachedFlags;
}

/** notifyKeyspaceEvent: publishes the event of class `type` on `key` of database `db` if enabled. */
export function notify(server: Server, type: number, event: string, key: string, db: number): void {
  if (server.config.notifyKeyspaceEvents === '') return;
  const flags = keyspaceEventFlags(server);
  if (!(flags & type)) return;
  const pubsub = pubsubOf(server);
  if (pubsub.channels.size === 0 && pubsub.patterns.size === 0) return;
  if (flags & NOTIFY.keyspace) pubsub.publish(`__keyspace@${db}__:${key}`, event);
  if (flags & NOTIFY.keyevent) pubsub.publish(`__keyevent@${db}__:${event}`, key);
}
