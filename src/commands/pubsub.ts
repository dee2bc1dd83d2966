// Pub/sub commands (pubsub.c): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE,
// PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB
// CHANNELS/NUMSUB/NUMPAT/SHARDCHANNELS/SHARDNUMSUB/HELP. The registry and
// message delivery are in server/pubsub.ts. PUBLISH is not a write: nothing
// is logged.
import type { Client } from '../server/client.js';
import { pubsubOf, type SubscriptionKind } from '../server/pubsub.js';
import { globMatch } from '../store/glob.js';
import { str } from './args.js';
import { ReplyError } from './reply-error.js';
import type { HandlerTable } from './table.js';

/** The reply names of each kind: [subscribe, unsubscribe]. */
const MESSAGES: Record<SubscriptionKind, [string, string]> = {
  channel: ['subscribe', 'unsubscribe'],
  pattern: ['psubscribe', 'punsubscribe'],
  shard: ['ssubscribe', 'sunsubscribe'],
};

/** The count a (un)subscribe reply carries: channels + patterns, or shard channels alone. */
function subscriptionCount(c: Client, kind: SubscriptionKind): number {
  return kind === 'shard' ? c.shardChannels.size : c.channels.size + c.patterns.size;
}

function replySubscription(c: Client, message: string, name: string | null, count: number): void {
  const r = c.reply;
  r.push(3);
  r.bulk(message);
  if (name === null) r.nullBulk();
  else r.bulk(name);
  r.integer(count);
}

/** A client inside EXEC may not subscribe (CLIENT_DENY_BLOCKING), except with SUBSCRIBE/PSUBSCRIBE. */
function inExec(c: Client): boolean {
  return (c as { inExec?: boolean }).inExec === true;
}

function subscribeGeneric(c: Client, argv: Buffer[], kind: SubscriptionKind): void {
  const pubsub = pubsubOf(c.server);
  for (let j = 1; j < argv.length; j++) {
    const name = str(argv[j]);
    pubsub.subscribe(c, kind, name);
    replySubscription(c, MESSAGES[kind][0], name, subscriptionCount(c, kind));
  }
}

function unsubscribeGeneric(c: Client, argv: Buffer[], kind: SubscriptionKind): void {
  const pubsub = pubsubOf(c.server);
  const message = MESSAGES[kind][1];
  const names = argv.length > 1 ? argv.slice(1).map(str) : [...ownSubscriptions(c, kind)];
  if (names.length === 0) {
    // Subscribed to nothing: Redis still replies once, with a null name.
    replySubscription(c, message, null, subscriptionCount(c, kind));
    return;
  }
  for (const name of names) {
    pubsub.unsubscribe(c, kind, name);
    replySubscription(c, message, name, subscriptionCount(c, kind));
  }
}

function ownSubscriptions(c: Client, kind: SubscriptionKind): Set<string> {
  return kind === 'channel' ? c.channels : kind === 'pattern' ? c.patterns : c.shardChannels;
}

function subscribe(c: Client, argv: Buffer[]): void {
  subscribeGeneric(c, argv, 'channel');
}

function psubscribe(c: Client, argv: Buffer[]): void {
  subscribeGeneric(c, argv, 'pattern');
}

function ssubscribe(c: Client, argv: Buffer[]): void {
  if (inExec(c)) throw new ReplyError("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  subscribeGeneric(c, argv, 'shard');
}

function unsubscribe(c: Client, argv: Buffer[]): void {
  unsubscribeGeneric(c, argv, 'channel');
}

function punsubscribe(c: Client, argv: Buffer[]): void {
  unsubscribeGeneric(c, argv, 'pattern');
}

function sunsubscribe(c: Client, argv: Buffer[]): void {
  unsubscribeGeneric(c, argv, 'shard');
}

function publish(c: Client, argv: Buffer[]): void {
  c.reply.integer(pubsubOf(c.server).publish(str(argv[1]), argv[2]));
}

function spublish(c: Client, argv: Buffer[]): void {
  c.reply.integer(pubsubOf(c.server).spublish(str(argv[1]), argv[2]));
}

// ---- PUBSUB ----

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

/** addReplySubcommandSyntaxError. */
function subcommandSyntaxError(argv: Buffer[]): ReplyError {
  return new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${str(argv[1]).slice(0, 128)}'. Try PUBSUB HELP.`);
}

function pubsubHelp(c: Client): void {
  c.reply.array(PUBSUB_HELP.length);
  for (const line of PUBSUB_HELP) c.reply.simple(line);
}

function listChannels(c: Client, argv: Buffer[], registry: Map<string, Set<Client>>): void {
  if (argv.length > 3) throw subcommandSyntaxError(argv);
  const pattern = argv.length === 3 ? str(argv[2]) : null;
  const names: string[] = [];
  for (const name of registry.keys()) if (pattern === null || globMatch(pattern, name)) names.push(name);
  c.reply.bulkArray(names);
}

function countSubscribers(c: Client, argv: Buffer[], registry: Map<string, Set<Client>>): void {
  c.reply.array((argv.length - 2) * 2);
  for (let j = 2; j < argv.length; j++) {
    const name = str(argv[j]);
    c.reply.bulk(name);
    c.reply.integer(registry.get(name)?.size ?? 0);
  }
}

export const pubsubCommands: HandlerTable = {
  subscribe,
  unsubscribe,
  psubscribe,
  punsubscribe,
  ssubscribe,
  sunsubscribe,
  publish,
  spublish,
  'pubsub|help': pubsubHelp,
  'pubsub|channels': (c, argv) => listChannels(c, argv, pubsubOf(c.server).channels),
  'pubsub|shardchannels': (c, argv) => listChannels(c, argv, pubsubOf(c.server).shardChannels),
  'pubsub|numsub': (c, argv) => countSubscribers(c, argv, pubsubOf(c.server).channels),
  'pubsub|shardnumsub': (c, argv) => countSubscribers(c, argv, pubsubOf(c.server).shardChannels),
  'pubsub|numpat': (c) => c.reply.integer(pubsubOf(c.server).patterns.size),
};
