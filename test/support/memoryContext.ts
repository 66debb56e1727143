// A CommandContext whose stdout and stderr are strings, for driving command
// actions in-process.
import { Writable } from "node:stream";
import type { CommandContext } from "../../src/commands/context.ts";

export type MemoryContext = CommandContext & { out(): string; err(): string };

export function memoryContext(cwd: string): MemoryContext {
  const stdout = collector();
  const stderr = collector();
  return { stdout: stdout.stream, stderr: stderr.stream, env: {}, cwd, verbose: false, out: stdout.text, err: stderr.text };
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}
