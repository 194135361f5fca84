import { PLUGIN_API_VERSION } from '../../plugin-sdk';
import { packageVersion } from './package-version';
import { pluginCommand } from './plugin-command';
import { START_USAGE, startCommand } from './start-command';
import { stopCommand } from './stop-command';

const USAGE = `usage: mosn <command> [options]

commands:
  start     start the proxy (mosn start --help for its flags)
  stop      stop the running proxy gracefully
  plugin    list or reload the running proxy's plugins (mosn plugin --help)
  version   print the version

${START_USAGE}`;

/** Entry point of the `mosn` command; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      if (rest.includes('--help') || rest.includes('-h')) return print(START_USAGE, 0);
      return startCommand(rest);
    case 'stop':
      return stopCommand(rest);
    case 'plugin':
      return pluginCommand(rest);
    case 'version':
    case '--version':
    case '-v':
      return print(`mosn-ts ${packageVersion()} (plugin API ${PLUGIN_API_VERSION}, node ${process.version})`, 0);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return print(USAGE, command === undefined ? 2 : 0);
    default:
      process.stderr.write(`mosn: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
      return 2;
  }
}

function print(text: string, code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(`${text}\n`);
  return code;
}
