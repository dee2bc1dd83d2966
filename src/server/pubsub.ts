// The pub/sub registry (pubsub.c): which clients subscribe to which channels,
// patterns and shard channels, and delivery of messages into the subscribers'
// output. A message is written with the subscriber's protocol (RESP2 array,
// RESP3 push) behind whatever that connection already has queued, so a
// subscriber holding replies for durability keeps its order; receivers are
// flushed once at the end of the current turn, not once per message.
import { globMatch } from '../store/glob.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** client-output-buffer-limit pubsub's default hard limit (32mb): past it the subscriber is dropped. */
const OUTPUT_HARD_LIMIT = 32 * 1024 * 1024;

export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

export class PubSub {
  /** Channel -> its subscribers, in subscription order. */
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();

  constructor(private readonly server: Server) {}

  private registry(kind: SubscriptionKind): Map<string, Set<Client>> {
    return kind === 'channel' ? this.channels : kind === 'pattern' ? this.patterns : this.shardChannels;
  }

  /** Adds the subscription; false when the client already had it. */
  subscribe(c: Client, kind: SubscriptionKind, name: string): boolean {
    const own = ownSet(c, kind);
    if (own.has(name)) return false;
    own.add(name);
    const registry = this.registry(kind);
    let clients = registry.get(name);
    if (!clients) registry.set(name, (clients = new Set()));
    clients.add(c);
    return true;
  }

  /** Removes the subscription; false when the client did not have it. */
  unsubscribe(c: Client, kind: SubscriptionKind, name: string): boolean {
    const own = ownSet(c, kind);
    if (!own.delete(name)) return false;
    const registry = this.registry(kind);
    const clients = registry.get(name);
    if (clients) {
      clients.delete(c);
      if (clients.size === 0) registry.delete(name);
    }
    return true;
  }

  /** Drops every subscription of the client without replies (disconnect, RESET). */
  unsubscribeAll(c: Client): void {
    if (c.subscriptions === 0) return;
    for (const kind of ['channel', 'pattern', 'shard'] as const) {
      for (const name of [...ownSet(c, kind)]) this.unsubscribe(c, kind, name);
    }
  }

  /** PUBLISH: delivers to channel subscribers, then matching patterns; returns the receiver count. */
  publish(channel: string, message: Buffer | string): number {
    let receivers = 0;
    const clients = this.channels.get(channel);
    if (clients) {
      for (const c of clients) {
        if (this.writable(c)) writeMessage(c, 'message', null, channel, message);
        receivers++;
      }
    }
    if (this.patterns.size > 0) {
      for (const [pattern, subscribers] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        for (const c of subscribers) {
          if (this.writable(c)) writeMessage(c, 'pmessage', pattern, channel, message);
          receivers++;
        }
      }
    }
    return receivers;
  }

  /** SPUBLISH: shard channel subscribers only. */
  spublish(channel: string, message: Buffer | string): number {
    const clients = this.shardChannels.get(channel);
    if (!clients) return 0;
    for (const c of clients) if (this.writable(c)) writeMessage(c, 'smessage', null, channel, message);
    return clients.size;
  }

  /** Whether a message may be queued for c; schedules its flush (and drops a subscriber that stopped reading). */
  private writable(c: Client): boolean {
    if (c.closed || c.closing) return false;
    // CLIENT REPLY OFF silences pushes too in Redis 7.0.
    if (c.replyMode === 'off') return false;
    const socket = c.socket;
    if (socket && c.reply.pendingBytes + socket.writableLength > OUTPUT_HARD_LIMIT) {
      this.server.logger.warning(`Client id=${c.id} closed for overcoming of output buffer limits.`);
      this.server.disconnect(c);
      return false;
    }
    this.server.flushAtTurnEnd(c);
    return true;
  }
}

function ownSet(c: Client, kind: SubscriptionKind): Set<string> {
  return kind === 'channel' ? c.channels : kind === 'pattern' ? c.patterns : c.shardChannels;
}

/** addReplyPubsubMessage / addReplyPubsubPatMessage. */
function writeMessage(c: Client, type: string, pattern: string | null, channel: string, message: Buffer | string): void {
  const r = c.reply;
  r.push(pattern === null ? 3 : 4);
  r.bulk(type);
  if (pattern !== null) r.bulk(pattern);
  r.bulk(channel);
  r.bulk(message);
}

const registries = new WeakMap<Server, PubSub>();

/** The server's pub/sub registry. */
export function pubsubOf(server: Server): PubSub {
  let registry = registries.get(server);
  if (!registry) registries.set(server, (registry = new PubSub(server)));
  return registry;
}

/** Drops the client's subscriptions (disconnect, RESET). */
export function unsubscribeClient(c: Client): void {
  if (c.subscriptions > 0) pubsubOf(c.server).unsubscribeAll(c);
}
