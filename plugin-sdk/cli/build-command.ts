import * as path from 'node:path';
import { type CliCommand, type CliOutput, EXIT, UsageError } from './cli-command';
import { buildPlugin } from './plugin-builder';

/** How many hex digits of the sha256 the build line shows. */
const SHA_PREFIX_LENGTH = 12;

/**
 * `mosn-plugin build [DIR...]`: builds each plugin folder (default: the current directory). Every
 * folder is attempted; the exit code is 1 if any failed.
 */
export const buildCommand: CliCommand = {
  name: 'build',
  summary: 'bundle plugin folders and write the sha256 of each bundle into its plugin.json',
  usage: [
    'Usage: mosn-plugin build [DIR...]',
    '',
    'Bundles each plugin folder (one holding plugin.json; default: the current directory):',
    'src/index.ts (or src/index.js) becomes the manifest\'s "main", one CommonJS file for node20',
    'with its dependencies inlined and mosn-plugin-sdk left to the host; then the sha256 of that',
    'file is written into plugin.json.',
  ].join('\n'),

  async run(args: readonly string[], output: CliOutput): Promise<number> {
    const option = args.find((a) => a.startsWith('-'));
    if (option) throw new UsageError(`unknown option ${option}`);
    const dirs = args.length > 0 ? args : ['.'];
    let failed = 0;
    for (const dir of dirs) {
      try {
        const result = await buildPlugin(dir);
        for (const warning of result.warnings) output.err(`warning: ${result.name}: ${warning}`);
        // Shown the way the folder was given (`plugins/foo/dist/index.js`, or `dist/index.js` for `.`).
        const main = path.join(dir, result.main);
        const note = result.manifestUpdated ? ', plugin.json updated' : '';
        output.out(`${result.name}@${result.version} → ${main} (sha256 ${result.sha256.slice(0, SHA_PREFIX_LENGTH)}${note})`);
      } catch (err) {
        failed++;
        output.err(`error: ${(err as Error).message}`);
      }
    }
    return failed > 0 ? EXIT.failed : EXIT.ok;
  },
};
