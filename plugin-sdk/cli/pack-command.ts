import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CliCommand, type CliOutput, EXIT, UsageError } from './cli-command';
import { parseCommandArgs } from './parse-command-args';
import { packPlugin } from './plugin-packer';

/** `mosn-plugin pack [DIR] [--out DIR] [--format tgz|dir]`: a distributable, verified plugin bundle. */
export const packCommand: CliCommand = {
  name: 'pack',
  summary: 'pack a built plugin (plugin.json, bundle, README) into NAME-VERSION.tgz or a folder',
  usage: [
    'Usage: mosn-plugin pack [DIR] [--out OUTDIR] [--format tgz|dir]',
    '',
    'Checks that the bundle of plugin folder DIR (default: .) matches the sha256 in its',
    'plugin.json, then writes OUTDIR/NAME-VERSION.tgz (default; files under NAME/) or the folder',
    'OUTDIR/NAME with plugin.json, the bundle and README.md only. OUTDIR defaults to the',
    'current directory. Prints the archive sha256 (registry index entries can point at it).',
  ].join('\n'),

  async run(args: readonly string[], output: CliOutput): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { out: { type: 'string', default: '.' }, format: { type: 'string', default: 'tgz' } }, 1);
    const format = values.format;
    if (format !== 'tgz' && format !== 'dir') throw new UsageError(`--format must be tgz or dir, not ${JSON.stringify(format)}`);
    try {
      fs.mkdirSync(values.out!, { recursive: true });
      const packed = packPlugin(positionals[0] ?? '.', path.resolve(values.out!), format);
      output.out(`${packed.name}@${packed.version} → ${packed.path}${packed.sha256 ? ` (sha256 ${packed.sha256})` : ''}`);
      for (const f of packed.files) output.out(`  ${f}`);
      return EXIT.ok;
    } catch (err) {
      output.err(`error: ${(err as Error).message}`);
      return EXIT.failed;
    }
  },
};
