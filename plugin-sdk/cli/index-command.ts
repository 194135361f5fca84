import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CliCommand, type CliOutput, EXIT } from './cli-command';
import { parseCommandArgs } from './parse-command-args';
import { buildRegistryIndex, defaultRegistryDir, INDEX_FILE, lockSets, SETS_DIR } from './registry-index';
import { readRegistryIndex, writeJsonFile, type RegistryIndex } from './registry-files';

/** `mosn-plugin index [--plugins DIR] [--registry DIR] [--lock]`: writes the registry index (and locks). */
export const indexCommand: CliCommand = {
  name: 'index',
  summary: "write the registry's index.json from a plugins directory (--lock: re-lock the sets too)",
  usage: [
    'Usage: mosn-plugin index [--plugins DIR] [--registry DIR] [--lock]',
    '',
    'Writes REGISTRY/index.json (default: the repository\'s registry/, or $MOSN_PLUGIN_REGISTRY)',
    'with one entry per built plugin folder of DIR (default: REGISTRY/../plugins) whose bundle',
    'matches its sha256; versions packed as .tgz in the previous index are kept. --lock then',
    're-locks every REGISTRY/sets/*.json: each member at the highest indexed version in its range,',
    'with that version\'s sha256 (a set with an unsatisfiable member is left unchanged and reported).',
  ].join('\n'),

  async run(args: readonly string[], output: CliOutput): Promise<number> {
    const { values } = parseCommandArgs(args, { plugins: { type: 'string' }, registry: { type: 'string' }, lock: { type: 'boolean', default: false } }, 0);
    const registry = path.resolve(values.registry ?? defaultRegistryDir());
    const pluginsDir = path.resolve(values.plugins ?? path.join(registry, '..', 'plugins'));
    const indexFile = path.join(registry, INDEX_FILE);
    try {
      const previous: RegistryIndex | undefined = fs.existsSync(indexFile) ? readRegistryIndex(indexFile) : undefined;
      const { index, indexed, skipped } = buildRegistryIndex(pluginsDir, registry, previous);
      writeJsonFile(indexFile, index);
      output.out(`${indexFile}: ${indexed.length} plugin folder(s) indexed${indexed.length ? `: ${indexed.join(', ')}` : ''}`);
      for (const s of skipped) output.err(`warning: skipped ${s.dir}: ${s.reason}`);
      if (!values.lock) return EXIT.ok;
      let failed = false;
      for (const r of lockSets(path.join(registry, SETS_DIR), index)) {
        if (r.problems.length > 0) {
          failed = true;
          output.err(`error: set ${r.name} (${r.file}) not locked: ${r.problems.join('; ')}`);
        } else {
          output.out(`set ${r.name}: ${r.changed.length > 0 ? `locked ${r.changed.join(', ')}` : 'lock unchanged'}`);
        }
      }
      return failed ? EXIT.failed : EXIT.ok;
    } catch (err) {
      output.err(`error: ${(err as Error).message}`);
      return EXIT.failed;
    }
  },
};
