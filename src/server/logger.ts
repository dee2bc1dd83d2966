// Redis-style log lines: "pid:M 24 Nov 2026 10:00:00.123 * message".
import type { Config } from '../config.js';

const LEVELS = { debug: 0, verbose: 1, notice: 2, warning: 3 } as const;
const MARKS = ['.', '-', '*', '#'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class Logger {
  constructor(
    private readonly config: Pick<Config, 'logLevel'>,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  private log(level: keyof typeof LEVELS, message: string): void {
    if (LEVELS[level] < LEVELS[this.config.logLevel]) return;
    const d = new Date();
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    const time = `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
    this.write(`${process.pid}:M ${time} ${MARKS[LEVELS[level]]} ${message}\n`);
  }

  debug(message: string): void {
    this.log('debug', message);
  }

  verbose(message: string): void {
    this.log('verbose', message);
  }

  notice(message: string): void {
    this.log('notice', message);
  }

  warning(message: string): void {
    this.log('warning', message);
  }
}
