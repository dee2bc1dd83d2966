// Every command family's handlers, joined into the command table by the server.
import { connectionCommands } from './connection.js';
import { expireCommands } from './expire.js';
import { keyCommands } from './keys.js';
import { listCommands } from './lists.js';
import { serverCommands } from './server.js';
import { stringCommands } from './strings.js';
import { transactionCommands } from './transactions.js';
import { bitmapCommands } from './bitmaps.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { sortCommands } from './sort.js';
import { pubsubCommands } from './pubsub.js';
import { zsetCommands } from './zsets.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';
import type { HandlerTable } from './table.js';

export const handlers: HandlerTable = {
  ...connectionCommands,
  ...stringCommands,
  ...keyCommands,
  ...listCommands,
  ...serverCommands,
  ...expireCommands,
  ...transactionCommands,
  ...bitmapCommands,
  ...hyperloglogCommands,
  ...sortCommands,
  ...pubsubCommands,
  ...zsetCommands,
  ...hashCommands,
  ...setCommands,
};
