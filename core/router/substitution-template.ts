/*
 * The `substitution` of a regex_rewrite, parsed once. MOSN passes it to Go's ReplaceAllString
 * (`$1`, `${1}`, `$name`, `${name}`, `$$`); Envoy configs write `\1`. Both are read here and
 * applied through a replacer function, because JavaScript's own `$10` / `$<name>` rules differ
 * from Go's (Go reads `$1x` as the group named "1x"; a missing group is the empty string).
 */

type Part = string | { group: number | string };

export class SubstitutionTemplate {
  private readonly parts: readonly Part[];

  constructor(template: string) {
    this.parts = parse(template);
  }

  /** The replacer for String.prototype.replace(regex, fn). */
  readonly replacer = (...args: unknown[]): string => {
    // replace() passes (match, p1..pn, offset, input[, groups]); groups only with named groups.
    const last = args[args.length - 1];
    const hasGroups = typeof last === 'object' && last !== null;
    const groups = hasGroups ? (last as Record<string, string | undefined>) : undefined;
    const captures = args.slice(0, args.length - (hasGroups ? 3 : 2)) as (string | undefined)[];
    let out = '';
    for (const part of this.parts) {
      if (typeof part === 'string') out += part;
      else if (typeof part.group === 'number') out += captures[part.group] ?? '';
      else out += groups?.[part.group] ?? '';
    }
    return out;
  };
}

function parse(template: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal) parts.push(literal);
    literal = '';
  };
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '\\' && /[0-9]/.test(template[i + 1] ?? '')) {
      flush();
      parts.push({ group: Number(template[i + 1]) });
      i++;
      continue;
    }
    if (c !== '$') {
      literal += c;
      continue;
    }
    if (template[i + 1] === '$') {
      literal += '$';
      i++;
      continue;
    }
    const braced = template[i + 1] === '{';
    const m = (braced ? /^\{([A-Za-z0-9_]+)\}/ : /^[A-Za-z0-9_]+/).exec(template.slice(i + 1));
    if (!m) {
      // Go drops a lone '$' that starts no valid reference; so do we.
      continue;
    }
    flush();
    const name = braced ? m[1] : m[0];
    parts.push({ group: /^[0-9]+$/.test(name) ? Number(name) : name });
    i += m[0].length;
  }
  flush();
  return parts;
}
