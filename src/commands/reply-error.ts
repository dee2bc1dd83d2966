// Thrown by a handler (before it writes anything) to answer with an error.
export class ReplyError extends Error {}
