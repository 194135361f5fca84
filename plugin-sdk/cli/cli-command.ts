/** Where a command writes: lines to standard output and standard error (swappable in tests). */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** One `mosn-plugin <name>` command. */
export interface CliCommand {
  readonly name: string;
  /** One line for the command list in `mosn-plugin --help`. */
  readonly summary: string;
  /** Full help text for `mosn-plugin <name> --help`. */
  readonly usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: readonly string[], output: CliOutput): Promise<number>;
}

/** Bad command line (unknown command or option, wrong arguments): exits 2 with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of `mosn-plugin`. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
