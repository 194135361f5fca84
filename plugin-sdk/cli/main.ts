import { buildCommand } from './build-command';
import { type CliCommand, type CliOutput, EXIT, UsageError } from './cli-command';
import { indexCommand } from './index-command';
import { installCommand } from './install-command';
import { newCommand } from './new-command';
import { packCommand } from './pack-command';
import { testCommand } from './test-command';

/** The commands `mosn-plugin` knows, in the order `--help` lists them (an author's loop, then the registry's). */
const COMMANDS: readonly CliCommand[] = [newCommand, buildCommand, testCommand, packCommand, installCommand, indexCommand];

const STDIO: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: mosn-plugin <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `mosn-plugin <command> --help` for a command\'s options.',
  ].join('\n');
}

const HELP_OPTIONS: readonly string[] = ['--help', '-h'];

/**
 * The `mosn-plugin` CLI: dispatches `argv` (the arguments after the program name) to a command and
 * resolves to the exit code: 0 ok, 1 the command failed, 2 bad usage. Never rejects.
 */
export async function main(argv: readonly string[], output: CliOutput = STDIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'help' || (name !== undefined && HELP_OPTIONS.includes(name))) {
    output.out(usage());
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (name === undefined) throw new UsageError('no command given');
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    if (args.some((arg) => HELP_OPTIONS.includes(arg))) {
      output.out(command.usage);
      return EXIT.ok;
    }
    return await command.run(args, output);
  } catch (err) {
    if (!(err instanceof UsageError)) {
      output.err(`error: ${(err as Error).stack ?? String(err)}`);
      return EXIT.failed;
    }
    output.err(`mosn-plugin: ${err.message}\n`);
    output.err(command ? command.usage : usage());
    return EXIT.usage;
  }
}
