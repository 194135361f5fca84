/*
 * MOSN's regexes are Go (RE2) syntax. Most of it is JavaScript syntax too; this translates the
 * parts users write that differ, so a MOSN config means the same thing here: a leading flag group
 * `(?i)` / `(?s)` / `(?m)`, named groups `(?P<name>...)`, `\A` and `\z`, `\Q...\E` literals,
 * POSIX classes `[[:alpha:]]` and a leading `]` in a class. Anything JavaScript still refuses is
 * a SyntaxError, which the caller reports against the config field.
 */

export interface GoRegExpOptions {
  /** Must match the whole input (Envoy's and our route semantics), not a substring. */
  anchored?: boolean;
  ignoreCase?: boolean;
  /** For replace-all. */
  global?: boolean;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Compiles a Go regex as a JavaScript RegExp; throws SyntaxError when it is not valid. */
export function compileGoRegExp(pattern: string, options: GoRegExpOptions = {}): RegExp {
  let flags = options.ignoreCase ? 'i' : '';
  let body = pattern;
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (lead) {
    for (const f of lead[1]) {
      if (f === 'i' || f === 's' || f === 'm') {
        if (!flags.includes(f)) flags += f;
      } else {
        throw new SyntaxError(`Invalid regular expression: /${pattern}/: flag (?${f}) is not supported`);
      }
    }
    body = body.slice(lead[0].length);
  }
  if (options.global) flags += 'g';
  const source = translate(body);
  // Checked alone first, so a syntax error quotes the user's pattern, not our anchored wrapper.
  const plain = new RegExp(source, flags);
  return options.anchored ? new RegExp(`^(?:${source})$`, flags) : plain;
}

/**
 * The problem reason for a pattern that did not compile: `invalid regular expression: "(a":
 * Unterminated group` (V8's own lead, which quotes our translation, is dropped).
 */
export function invalidRegexReason(pattern: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^Invalid regular expression: \/.*\/[a-z]*: (.*)$/s.exec(message);
  return `invalid regular expression: ${JSON.stringify(pattern)}: ${m ? m[1] : message}`;
}

function translate(src: string): string {
  let out = '';
  let inClass = false;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length) {
      const n = src[i + 1];
      if (n === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const literal = src.slice(i + 2, end < 0 ? src.length : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      if (!inClass && n === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && n === 'z') out += '(?![\\s\\S])';
      else out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        const name = end < 0 ? '' : src.slice(i + 2, end);
        const negated = name.startsWith('^');
        const set = POSIX_CLASSES[negated ? name.slice(1) : name];
        // A negated POSIX class inside a larger class has no JS spelling; leave it to fail.
        if (set !== undefined && !negated) {
          out += set;
          i = end + 2;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (src[i] === '^') {
        out += '^';
        i++;
      }
      // Go reads a leading ']' as a literal; JavaScript would read `[]` as an empty class.
      if (src[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 4;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
