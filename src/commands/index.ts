// Every command family's handlers, joined into the command table by the server.
import { connectionCommands } from './connection.js';
import type { HandlerTable } from './table.js';

export const handlers: HandlerTable = {
  ...connectionCommands,
};
