// What every subcommand of `tunegrad` provides: its argument spec and a run function that writes
// to the given streams and resolves to the process exit status.
import type { CommandSpec, ParsedArgs } from "./args.js";

export interface OutputStream {
  write(chunk: string): unknown;
  /** True when the stream is an interactive terminal (live progress redraws in place then). */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
}

export interface CliCommand {
  spec: CommandSpec;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
