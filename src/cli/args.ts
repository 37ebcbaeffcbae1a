// A small argument parser for the tunegrad subcommands: positionals, `--flag value`,
// `--flag=value`, boolean flags, and `--help`/`-h`. Every mistake is a UsageError whose message
// says what was wrong and what the command accepts.

export type FlagKind = "string" | "number" | "integer" | "boolean";

export interface FlagSpec {
  kind: FlagKind;
  description: string;
  /** The placeholder shown in help, e.g. FILE or R. */
  valueName?: string;
  required?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  positionals: PositionalSpec[];
  flags: Record<string, FlagSpec>;
}

export type FlagValue = string | number | boolean;

export interface ParsedArgs {
  /** Positional values by their spec name. */
  positionals: Record<string, string>;
  /** Flag values by flag name (without the dashes); boolean flags that were not given are absent. */
  flags: Record<string, FlagValue>;
}

export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const HELP_REQUESTED = "help" as const;

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs | typeof HELP_REQUESTED {
  const positionalValues: string[] = [];
  const flags: Record<string, FlagValue> = {};
  let onlyPositionalsFollow = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionalsFollow || !arg.startsWith("-") || arg === "-") {
      positionalValues.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositionalsFollow = true;
      continue;
    }
    if (arg === "--help" || arg === "-h") return HELP_REQUESTED;
    if (!arg.startsWith("--")) {
      throw new UsageError(`unknown option "${arg}"; ${validFlagsSentence(spec)}`, spec.name);
    }

    const equals = arg.indexOf("=");
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    // Own keys only: "--toString" or "--constructor" are unknown options, not Object.prototype's.
    const flag = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
    if (flag === undefined) {
      throw new UsageError(`unknown option "--${name}"; ${validFlagsSentence(spec)}`, spec.name);
    }
    if (Object.hasOwn(flags, name)) throw new UsageError(`option "--${name}" is given twice`, spec.name);

    if (flag.kind === "boolean") {
      if (equals !== -1) throw new UsageError(`option "--${name}" takes no value (got "${arg}")`, spec.name);
      flags[name] = true;
      continue;
    }
    let raw: string;
    if (equals !== -1) {
      raw = arg.slice(equals + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`option "--${name}" needs a value: --${name} ${placeholder(name, flag)}`, spec.name);
      }
      raw = next;
      i++;
    }
    flags[name] = convertFlagValue(spec.name, name, flag, raw);
  }

  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flag.required && !Object.hasOwn(flags, name)) {
      throw new UsageError(`missing required option --${name} ${placeholder(name, flag)}`, spec.name);
    }
  }
  if (positionalValues.length < spec.positionals.length) {
    const missing = spec.positionals.slice(positionalValues.length).map((p) => p.name);
    throw new UsageError(`missing ${missing.join(" ")}; usage: ${usageLine(spec)}`, spec.name);
  }
  if (positionalValues.length > spec.positionals.length) {
    const extra = positionalValues.slice(spec.positionals.length);
    throw new UsageError(
      `unexpected argument${extra.length > 1 ? "s" : ""} ${extra.map((e) => JSON.stringify(e)).join(" ")}; usage: ${usageLine(spec)}`,
      spec.name,
    );
  }
  const positionals: Record<string, string> = {};
  spec.positionals.forEach((p, index) => {
    positionals[p.name] = positionalValues[index]!;
  });
  return { positionals, flags };
}

function convertFlagValue(command: string, name: string, flag: FlagSpec, raw: string): FlagValue {
  if (flag.kind === "string") {
    if (raw === "") throw new UsageError(`option "--${name}" needs a non-empty value`, command);
    return raw;
  }
  const value = raw.trim() === "" ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) {
    throw new UsageError(`option "--${name}" needs a number, got "${raw}"`, command);
  }
  if (flag.kind === "integer" && !Number.isInteger(value)) {
    throw new UsageError(`option "--${name}" needs an integer, got "${raw}"`, command);
  }
  return value;
}

function placeholder(name: string, flag: FlagSpec): string {
  return flag.valueName ?? name.toUpperCase().replace(/-/g, "_");
}

function validFlagsSentence(spec: CommandSpec): string {
  const names = [...Object.keys(spec.flags).map((n) => `--${n}`), "--help"];
  return `"tunegrad ${spec.name}" accepts ${names.join(", ")}`;
}

export function usageLine(spec: CommandSpec): string {
  const parts = [`tunegrad ${spec.name}`, ...spec.positionals.map((p) => p.name)];
  for (const [name, flag] of Object.entries(spec.flags)) {
    const text = flag.kind === "boolean" ? `--${name}` : `--${name} ${placeholder(name, flag)}`;
    parts.push(flag.required ? text : `[${text}]`);
  }
  return parts.join(" ");
}

export function formatCommandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(spec)}`, "", spec.summary];
  const rows: [string, string][] = [
    ...spec.positionals.map((p): [string, string] => [p.name, p.description]),
    ...Object.entries(spec.flags).map(([name, flag]): [string, string] => [
      flag.kind === "boolean" ? `--${name}` : `--${name} ${placeholder(name, flag)}`,
      flag.required ? `${flag.description} (required)` : flag.description,
    ]),
    ["--help, -h", "show this help"],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  lines.push("", ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`));
  return lines.join("\n") + "\n";
}
