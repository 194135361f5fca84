import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findJsonSyntaxError } from '../../core/config/json-syntax-error';
import { positionAt } from '../../core/config/text-position';

test('valid JSON has no syntax error', () => {
  for (const text of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]} ', '0', '"s"']) {
    assert.equal(findJsonSyntaxError(text), undefined, text);
  }
});

test('each kind of break is located at the offending character', () => {
  const cases: [string, number, string][] = [
    ['{"a":}', 5, "Unexpected token '}', expected a value"],
    ['{"a":1,}', 7, "Unexpected token '}', expected a double-quoted property name"],
    ['{"a" 1}', 5, "Unexpected token '1', expected ':' after property name"],
    ['{"a":1', 6, "Unexpected end of input, expected ',' or '}' after property value"],
    ['[1 2]', 3, "Unexpected token '2', expected ',' or ']' after array element"],
    ['{"a":"b\nc"}', 7, 'Unexpected control character U+000A in string'],
    ['{"a":"\\q"}', 7, "Unexpected token 'q', expected a valid escape sequence"],
    ['{"a":"\\u12"}', 7, 'Bad unicode escape in string'],
    ['{"a":"b', 7, 'Unexpected end of input, expected a closing \'"\' of the string'],
    ['{} x', 3, "Unexpected token 'x' after the end of the JSON value"],
    ['{"a":01}', 6, "Unexpected token '1', expected ',' or '}' after property value"],
    ["{'a':1}", 1, "Unexpected token ''', expected a double-quoted property name"],
  ];
  for (const [text, offset, message] of cases) {
    assert.throws(() => JSON.parse(text), SyntaxError, text);
    assert.deepEqual(findJsonSyntaxError(text), { offset, message }, text);
  }
});

test('positions are 1-based lines and columns', () => {
  assert.deepEqual(positionAt('ab\ncd', 0), { line: 1, column: 1 });
  assert.deepEqual(positionAt('ab\ncd', 4), { line: 2, column: 2 });
  assert.deepEqual(positionAt('ab\r\ncd', 4), { line: 2, column: 1 });
  assert.deepEqual(positionAt('ab', 99), { line: 1, column: 3 });
});

test('absurd nesting is reported rather than overflowing the stack', () => {
  const deep = '['.repeat(100_000);
  const found = findJsonSyntaxError(deep);
  assert.equal(found?.message, 'Nesting too deep');
});
