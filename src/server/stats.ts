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
  /** Socket reads (INFO total_reads_processed). */
  readsProcessed = 0;
  /** Memory in use when the server started (INFO used_memory_startup). */
  readonly startupMemory = process.memoryUsage().heapUsed;
  /** Error replies by their first word (ERR, WRONGTYPE, ...), as errorstats. */
  readonly errors = new Map<string, number>();
  // Samples for instantaneous_ops_per_sec, taken by the cron.
  private samples: number[] = [];
  private inputSamples: number[] = [];
  private outputSamples: number[] = [];
  private lastSample = { at: Date.now(), commands: 0, input: 0, output: 0 };

  countError(message: string): void {
    this.totalErrorReplies++;
    // Redis takes the code from a space within the first 32 bytes, else counts it as ERR.
    const space = message.indexOf(' ');
    const code = space < 0 || space >= 32 ? 'ERR' : message.slice(0, space);
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** outputBytes: the total written to clients so far (the server sums its sockets). */
  sample(now: number, outputBytes = this.netOutputBytes): void {
    const elapsed = now - this.lastSample.at;
    if (elapsed <= 0) return;
    const last = this.lastSample;
    const push = (list: number[], value: number) => {
      list.push(value);
      if (list.length > 16) list.shift();
    };
    push(this.samples, ((this.commandsProcessed - last.commands) * 1000) / elapsed);
    push(this.inputSamples, (this.netInputBytes - last.input) / elapsed); // bytes/ms = KB/s
    push(this.outputSamples, (outputBytes - last.output) / elapsed);
    this.lastSample = { at: now, commands: this.commandsProcessed, input: this.netInputBytes, output: outputBytes };
  }

  /** INFO instantaneous_input_kbps / instantaneous_output_kbps. */
  get instantaneousKbps(): { input: number; output: number } {
    const average = (list: number[]) => (list.length === 0 ? 0 : list.reduce((a, b) => a + b, 0) / list.length / 1.024);
    return { input: Math.max(0, average(this.inputSamples)), output: Math.max(0, average(this.outputSamples)) };
  }

  get instantaneousOps(): number {
    if (this.samples.length === 0) return 0;
    return Math.round(this.samples.reduce((a, b) => a + b, 0) / this.samples.length);
  }

  reset(): void {
    this.connectionsReceived = this.rejectedConnections = this.commandsProcessed = 0;
    this.netInputBytes = this.netOutputBytes = this.expiredKeys = 0;
    this.keyspaceHits = this.keyspaceMisses = this.totalErrorReplies = 0;
    this.readsProcessed = 0;
    this.errors.clear();
  }
}
