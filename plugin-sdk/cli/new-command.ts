import { type CliCommand, type CliOutput, EXIT, UsageError } from './cli-command';
import { parseCommandArgs } from './parse-command-args';
import { scaffoldPlugin, TEMPLATES } from './plugin-scaffold';

/** `mosn-plugin new NAME --kind KIND [--dir PARENT]`: scaffolds a working plugin folder. */
export const newCommand: CliCommand = {
  name: 'new',
  summary: 'scaffold a plugin folder: source, plugin.json with a config schema, a test, a README',
  usage: [
    `Usage: mosn-plugin new NAME [--kind ${Object.keys(TEMPLATES).join('|')}] [--dir PARENT]`,
    '',
    'Writes PARENT/NAME (default: ./NAME): plugin.json, src/index.ts, test/NAME.test.ts and',
    'README.md for a plugin of that kind (default stream_filter) that builds, passes its tests',
    'and loads as it is. Then: cd NAME && mosn-plugin test.',
  ].join('\n'),

  async run(args: readonly string[], output: CliOutput): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { kind: { type: 'string', default: 'stream_filter' }, dir: { type: 'string', default: '.' } }, 1);
    const name = positionals[0];
    if (!name) throw new UsageError('no plugin NAME given');
    if (!(values.kind! in TEMPLATES)) throw new UsageError(`unknown --kind ${JSON.stringify(values.kind)} (one of ${Object.keys(TEMPLATES).join(', ')})`);
    try {
      const result = scaffoldPlugin(values.dir!, name, values.kind!);
      output.out(`created ${values.kind} plugin ${name} in ${result.dir}`);
      for (const f of result.files) output.out(`  ${f}`);
      return EXIT.ok;
    } catch (err) {
      output.err(`error: ${(err as Error).message}`);
      return EXIT.failed;
    }
  },
};
