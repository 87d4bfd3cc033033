/** The recent output of a child process, kept for error messages (a failed start says why). */
import type { GroupProcess } from '../../scripts/process-group';

const MAX_CHARS = 20_000;

export interface OutputBuffer {
  /** stdout and stderr interleaved as received, at most the last 20 000 characters. */
  text(): string;
}

export function captureOutput(proc: GroupProcess): OutputBuffer {
  let text = '';
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    if (text.length > MAX_CHARS) text = text.slice(-MAX_CHARS);
  };
  proc.child.stdout?.on('data', append);
  proc.child.stderr?.on('data', append);
  return { text: () => text };
}

/** An Error whose message ends with the child's output, indented. */
export function errorWithOutput(message: string, output: OutputBuffer): Error {
  const body = output.text().trimEnd() || '(no output)';
  return new Error(`${message}\n--- output ---\n${body.replace(/^/gm, '  ')}`);
}
