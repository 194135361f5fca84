import { type CliCommand, type CliOutput, EXIT } from './cli-command';
import { parseCommandArgs } from './parse-command-args';
import { buildPlugin } from './plugin-builder';
import { findTestFiles, runPluginTests } from './plugin-test-runner';

/** `mosn-plugin test [DIR] [--no-build]`: builds the plugin, then runs its tests against the SDK harness. */
export const testCommand: CliCommand = {
  name: 'test',
  summary: "build a plugin folder and run its tests against the SDK's in-process kernel harness",
  usage: [
    'Usage: mosn-plugin test [DIR] [--no-build]',
    '',
    'Builds the plugin folder DIR (default: the current directory) as `build` does, then runs',
    'test/**/*.test.ts (or .js) with node --test. Tests import `mosn-plugin-sdk/testing`:',
    'loadPluginForTest() loads the built bundle as the kernel does, and its stream and network',
    'filter harnesses push headers or bytes through a filter in-process (no listener, no socket).',
    '--no-build tests the bundle as it is.',
  ].join('\n'),

  async run(args: readonly string[], output: CliOutput): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { 'no-build': { type: 'boolean', default: false } }, 1);
    const dir = positionals[0] ?? '.';
    try {
      if (!values['no-build']) {
        const built = await buildPlugin(dir);
        for (const w of built.warnings) output.err(`warning: ${built.name}: ${w}`);
        output.out(`built ${built.name}@${built.version} (sha256 ${built.sha256.slice(0, 12)})`);
      }
      const files = findTestFiles(dir);
      if (files.length === 0) {
        output.err(`error: no tests in ${dir}/test (files named *.test.ts or *.test.js)`);
        return EXIT.failed;
      }
      const code = await runPluginTests(dir, files, output);
      return code === 0 ? EXIT.ok : EXIT.failed;
    } catch (err) {
      output.err(`error: ${(err as Error).message}`);
      return EXIT.failed;
    }
  },
};
