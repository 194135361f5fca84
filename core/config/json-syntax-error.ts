/** Where a JSON text first breaks the grammar, and why. */
export interface JsonSyntaxError {
  offset: number;
  message: string;
}

// Bounds recursion; no real config nests anywhere near this deep.
const MAX_DEPTH = 2_000;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];

class SyntaxFault {
  constructor(readonly offset: number, readonly message: string) {}
}

/**
 * Finds the first syntax error of a JSON text (RFC 8259). V8's JSON.parse messages do not always
 * carry a position ("Unexpected token 'x', "<the whole file>" is not valid JSON"), so the loader
 * scans the text again after a failed parse to point at line:column. Returns undefined when valid.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let pos = 0;

  const fault = (expected: string): SyntaxFault =>
    pos >= text.length
      ? new SyntaxFault(pos, `Unexpected end of input, expected ${expected}`)
      : new SyntaxFault(pos, `Unexpected token ${describeChar(text[pos])}, expected ${expected}`);

  const skipWhitespace = (): void => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r')) pos++;
  };

  const scanString = (): void => {
    pos++; // opening quote
    for (;;) {
      if (pos >= text.length) throw fault('a closing \'"\' of the string');
      const ch = text[pos];
      if (ch === '"') {
        pos++;
        return;
      }
      if (ch.charCodeAt(0) < 0x20) throw new SyntaxFault(pos, `Unexpected control character ${describeChar(ch)} in string`);
      if (ch === '\\') {
        pos++;
        const esc = text[pos];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 1, pos + 5))) throw new SyntaxFault(pos, 'Bad unicode escape in string');
          pos += 5;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) {
          pos++;
        } else {
          throw fault('a valid escape sequence');
        }
        continue;
      }
      pos++;
    }
  };

  const scanValue = (depth: number): void => {
    if (depth > MAX_DEPTH) throw new SyntaxFault(pos, 'Nesting too deep');
    skipWhitespace();
    const ch = text[pos];
    if (ch === '{') return scanObject(depth);
    if (ch === '[') return scanArray(depth);
    if (ch === '"') return scanString();
    for (const literal of LITERALS) {
      if (text.startsWith(literal, pos)) {
        pos += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = pos;
    if (NUMBER.exec(text)) {
      pos = NUMBER.lastIndex;
      return;
    }
    throw fault('a value');
  };

  const scanObject = (depth: number): void => {
    pos++; // {
    skipWhitespace();
    if (text[pos] === '}') {
      pos++;
      return;
    }
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"') throw fault('a double-quoted property name');
      scanString();
      skipWhitespace();
      if (text[pos] !== ':') throw fault("':' after property name");
      pos++;
      scanValue(depth + 1);
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return;
      }
      throw fault("',' or '}' after property value");
    }
  };

  const scanArray = (depth: number): void => {
    pos++; // [
    skipWhitespace();
    if (text[pos] === ']') {
      pos++;
      return;
    }
    for (;;) {
      scanValue(depth + 1);
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return;
      }
      throw fault("',' or ']' after array element");
    }
  };

  try {
    scanValue(0);
    skipWhitespace();
    if (pos < text.length) throw new SyntaxFault(pos, `Unexpected token ${describeChar(text[pos])} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (e instanceof SyntaxFault) return { offset: e.offset, message: e.message };
    throw e;
  }
}

function describeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
}
