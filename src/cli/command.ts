// What every subcommand of `tunegrad` provides: its argument spec and a run function that writes
// to the given streams and resolves to the process exit status.
import type { ProgressStream } from "../tune/progress.js";
import type { CommandSpec, ParsedArgs } from "./args.js";

/** A writable stream; isTTY and columns decide how live progress draws (tune's ProgressView). */
export type OutputStream = ProgressStream;

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
}

export interface CliCommand {
  spec: CommandSpec;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
