// Recordings: the replies of real Redis to one script, committed as
// compat/recordings/<family>.json so tests need no Redis installed.
import { readFileSync, writeFileSync } from 'node:fs';
import { asciiJson, type LineResult } from './runner.js';
import { RECORDINGS_DIR } from './script.js';

export interface Recording {
  recordedFrom: string;
  script: string;
  lines: LineResult[];
}

export function readRecording(family: string): Recording {
  return JSON.parse(readFileSync(`${RECORDINGS_DIR}${family}.json`, 'utf8')) as Recording;
}

/** One line of ASCII JSON per reply, so recordings read and diff well. */
export function writeRecording(family: string, recording: Recording): string {
  const path = `${RECORDINGS_DIR}${family}.json`;
  const lines = recording.lines.map((l) => `    ${asciiJson(l)}`).join(',\n');
  writeFileSync(path, `{\n  "recordedFrom": ${JSON.stringify(recording.recordedFrom)},\n  "script": ${JSON.stringify(recording.script)},\n  "lines": [\n${lines}\n  ]\n}\n`);
  return path;
}
