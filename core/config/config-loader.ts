import { readFileSync } from 'node:fs';
import { ConfigLoadError } from './config-error';
import { parseConfigDocument } from './config-document';
import { schemaProblems } from './config-schema-validator';
import { semanticProblems } from './config-semantic-checks';
import type { MosnConfig } from './config-types';

/**
 * Reads, parses and validates a MOSN config file (JSON, or YAML by extension or content).
 * Throws ConfigLoadError with one `where: why` line per problem; nothing is returned half-checked.
 */
export function loadConfigFile(file: string): MosnConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigLoadError([describeReadFailure(file, e as NodeJS.ErrnoException)]);
  }
  return parseConfigText(text, file);
}

/** Parses and validates config text; `sourceName` names it in syntax errors and picks YAML by extension. */
export function parseConfigText(text: string, sourceName: string): MosnConfig {
  return validateConfig(parseConfigDocument(text, sourceName));
}

/** Validates already-parsed config data (e.g. from the admin API or xDS conversion). */
export function validateConfig(config: unknown): MosnConfig {
  const problems = schemaProblems(config);
  problems.push(...semanticProblems(config));
  if (problems.length > 0) throw new ConfigLoadError(problems);
  return config as MosnConfig;
}

function describeReadFailure(file: string, e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return `${file}: no such file`;
    case 'EISDIR':
      return `${file}: is a directory, not a config file`;
    case 'EACCES':
      return `${file}: permission denied`;
    default:
      return `${file}: cannot be read (${e.message})`;
  }
}

export { ConfigLoadError };
