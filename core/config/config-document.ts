import { parseDocument } from 'yaml';
import { ConfigLoadError } from './config-error';
import { findJsonSyntaxError } from './json-syntax-error';
import { positionAt } from './text-position';

export type ConfigSyntax = 'json' | 'yaml';

/**
 * JSON is MOSN's format; YAML is accepted for people who write configs by hand. The extension
 * decides for .yaml/.yml; otherwise text that opens like a JSON object or array is JSON.
 */
export function detectSyntax(text: string, sourceName: string): ConfigSyntax {
  if (/\.ya?ml$/i.test(sourceName)) return 'yaml';
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}

/** Parses config text into plain data, or throws ConfigLoadError naming `source:line:col`. */
export function parseConfigDocument(text: string, sourceName: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // editors on Windows add a BOM
  if (body.trim() === '') throw new ConfigLoadError([`${sourceName}: the configuration is empty`]);
  return detectSyntax(body, sourceName) === 'json' ? parseJson(body, sourceName) : parseYaml(body, sourceName);
}

function parseJson(text: string, sourceName: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const found = findJsonSyntaxError(text);
    if (!found) throw new ConfigLoadError([`${sourceName}: ${firstLine((e as Error).message)}`]);
    const { line, column } = positionAt(text, found.offset);
    throw new ConfigLoadError([`${sourceName}:${line}:${column}: ${found.message}`]);
  }
}

function parseYaml(text: string, sourceName: string): unknown {
  // prettyErrors off: its messages embed a code frame; the position is computed here instead.
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigLoadError(
      doc.errors.map((e) => {
        const { line, column } = positionAt(text, e.pos[0]);
        return `${sourceName}:${line}:${column}: ${firstLine(e.message)}`;
      }),
    );
  }
  return doc.toJS() as unknown;
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0];
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
