// Server-wide counters for INFO stats and errorstats.

export class Stats {
  readonly startedAt = Date.now();
  connectionsReceived = 0;
  rejectedConnections = 0;
  commandsProcessed = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  expiredKeys = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  totalErrorReplies = 0;
  /** Error replies by their first word (ERR, WRONGTYPE, ...), as errorstats. */
  readonly errors = new Map<string, number>();
  // Samples for instantaneous_ops_per_sec, taken by the cron.
  private samples: number[] = [];
  private lastSample = { at: Date.now(), commands: 0 };

  countError(message: string): void {
    this.totalErrorReplies++;
    const space = message.indexOf(' ');
    const code = space < 0 ? message : message.slice(0, space);
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  sample(now: number): void {
    const elapsed = now - this.lastSample.at;
    if (elapsed <= 0) return;
    this.samples.push(((this.commandsProcessed - this.lastSample.commands) * 1000) / elapsed);
    if (this.samples.length > 16) this.samples.shift();
    this.lastSample = { at: now, commands: this.commandsProcessed };
  }

  get instantaneousOps(): number {
    if (this.samples.length === 0) return 0;
    return Math.round(this.samples.reduce((a, b) => a + b, 0) / this.samples.length);
  }

  reset(): void {
    this.connectionsReceived = this.rejectedConnections = this.commandsProcessed = 0;
    this.netInputBytes = this.netOutputBytes = this.expiredKeys = 0;
    this.keyspaceHits = this.keyspaceMisses = this.totalErrorReplies = 0;
    this.errors.clear();
  }
}
