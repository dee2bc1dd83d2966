// Every command family's handlers, joined into the command table by the server.
import { connectionCommands } from './connection.js';
import { expireCommands } from './expire.js';
import { keyCommands } from './keys.js';
import { stringCommands } from './strings.js';
import { transactionCommands } from './transactions.js';
import type { HandlerTable } from './table.js';

export const handlers: HandlerTable = {
  ...connectionCommands,
  ...stringCommands,
  ...keyCommands,
  ...expireCommands,
  ...transactionCommands,
};
