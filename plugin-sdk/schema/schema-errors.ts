import type { ErrorObject } from 'ajv';

/**
 * Turns ajv's JSON Pointer (`/servers/0/listeners/1/address`) into the dotted form users read
 * (`servers[0].listeners[1].address`), prefixed by `base` (the block's own location).
 */
export function pointerToPath(pointer: string, base = ''): string {
  let path = base;
  if (pointer === '') return path;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else path += path ? `.${part}` : part;
  }
  return path;
}

/** Joins a base path and a relative one (`a.b` + `c[0]` → `a.b.c[0]`). */
export function joinPath(base: string, rel: string): string {
  if (!rel) return base;
  if (!base) return rel;
  return rel.startsWith('[') ? base + rel : `${base}.${rel}`;
}

/**
 * One line per ajv error: `<path>: <reason>`, with the offending value quoted where that helps
 * (`servers[0].listeners[1].address: "127.0.0.1:99999" is not a valid address`).
 */
export function formatSchemaErrors(errors: readonly ErrorObject[] | null | undefined, base = '', root?: unknown): string[] {
  if (!errors) return [];
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let path = pointerToPath(e.instancePath, base);
    let reason: string;
    switch (e.keyword) {
      case 'required':
        path = joinPath(path, String((e.params as { missingProperty: string }).missingProperty));
        reason = 'is required';
        break;
      case 'additionalProperties':
        path = joinPath(path, String((e.params as { additionalProperty: string }).additionalProperty));
        reason = 'is not an allowed field';
        break;
      case 'format':
        reason = `${JSON.stringify(valueAt(root, e.instancePath))} is not a valid ${describeFormat(String((e.params as { format: string }).format))}`;
        break;
      case 'type':
        reason = `must be ${String((e.params as { type: string | string[] }).type).split(',').map(article).join(' or ')}, got ${JSON.stringify(valueAt(root, e.instancePath))}`;
        break;
      case 'minLength':
        reason = (e.params as { limit: number }).limit === 1 ? 'must not be empty' : (e.message ?? e.keyword);
        break;
      case 'minimum':
      case 'maximum':
        reason = `${e.message ?? e.keyword}, got ${JSON.stringify(valueAt(root, e.instancePath))}`;
        break;
      case 'enum':
        reason = `${JSON.stringify(valueAt(root, e.instancePath))} is not one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      default:
        reason = e.message ?? e.keyword;
    }
    const line = `${path || '(root)'}: ${reason}`;
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
  }
  return lines;
}

function describeFormat(format: string): string {
  return format.replace(/^mosn-/, '').replace(/-/g, ' ');
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(root: unknown, pointer: string): unknown {
  if (root === undefined) return undefined;
  let v: unknown = root;
  if (pointer === '') return v;
  for (const raw of pointer.slice(1).split('/')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}
