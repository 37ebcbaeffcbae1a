// The `tunegrad` command: picks the subcommand, parses its arguments and runs it. Usage mistakes
// print the problem and a pointer to --help and exit with status 2; other failures exit with 1.
import { HELP_REQUESTED, UsageError, formatCommandHelp, parseArgs } from "./args.js";
import { exitQuietlyOnBrokenPipe } from "./broken-pipe.js";
import type { CliCommand, CliIO } from "./command.js";
import { InputError } from "./json-checks.js";
import { bracketsCommand } from "./commands/brackets.js";
import { labCommand } from "./commands/lab.js";
import { reportCommand } from "./commands/report.js";
import { resumeCommand } from "./commands/resume.js";
import { trainCommand } from "./commands/train.js";
import { tuneCommand } from "./commands/tune.js";

const commands: readonly CliCommand[] = [tuneCommand, resumeCommand, reportCommand, bracketsCommand, trainCommand, labCommand];

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.spec.name.length));
  return [
    "Usage: tunegrad COMMAND [ARGS] [--help]",
    "",
    "tunegrad: tensors on WebGPU, nn modules from JSON specs, and a Hyperband tuner.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    "",
    'Run "tunegrad COMMAND --help" for the arguments of one command.',
    "",
  ].join("\n");
}

export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  // The process's own streams only: streams a caller passes in are the caller's to handle.
  for (const stream of [process.stdout, process.stderr]) if (io.stdout === stream || io.stderr === stream) exitQuietlyOnBrokenPipe(stream);
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(topLevelHelp());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.spec.name === name);
  if (command === undefined) {
    io.stderr.write(
      `tunegrad: unknown command "${name}"; the commands are: ${commands.map((c) => c.spec.name).join(", ")}\n` +
        'Run "tunegrad --help" for what each one does.\n',
    );
    return 2;
  }
  try {
    const args = parseArgs(command.spec, rest);
    if (args === HELP_REQUESTED) {
      io.stdout.write(formatCommandHelp(command.spec));
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`tunegrad ${command.spec.name}: ${error.message}\nRun "tunegrad ${command.spec.name} --help" for usage.\n`);
      return 2;
    }
    if (error instanceof InputError) {
      io.stderr.write(`tunegrad ${command.spec.name}: ${error.message}\n`);
      return 1;
    }
    // Not a usage mistake: the message says what went wrong; TUNEGRAD_DEBUG=1 adds the stack.
    const debug = process.env.TUNEGRAD_DEBUG === "1";
    const text = error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
    io.stderr.write(`tunegrad ${command.spec.name}: ${text}\n${debug ? "" : "(TUNEGRAD_DEBUG=1 shows the stack trace)\n"}`);
    return 1;
  }
}
