import * as fs from 'node:fs';
import * as path from 'node:path';

/** The version in mosn-ts's package.json (read once, at first use). */
export function packageVersion(): string {
  cached ??= (JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}

let cached: string | undefined;
