import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGoRegExp } from '../../core/router/go-regexp';
import { SubstitutionTemplate } from '../../core/router/substitution-template';

describe('Go regex syntax', () => {
  it('translates what JavaScript spells differently', () => {
    assert.ok(compileGoRegExp('(?i)abc', { anchored: true }).test('ABC'));
    assert.equal('x-42'.replace(compileGoRegExp('(?P<n>[0-9]+)'), '<$<n>>'), 'x-<42>');
    assert.ok(compileGoRegExp('\\Aab\\z').test('ab'));
    assert.ok(!compileGoRegExp('\\Aab\\z').test('abc'));
    assert.ok(compileGoRegExp('\\Q.*\\E', { anchored: true }).test('.*'));
    assert.ok(compileGoRegExp('[[:digit:]]+', { anchored: true }).test('123'));
    assert.ok(compileGoRegExp('[]a]+', { anchored: true }).test(']a]'));
  });

  it('anchored means the whole input', () => {
    assert.ok(!compileGoRegExp('a|b', { anchored: true }).test('ab'));
    assert.ok(compileGoRegExp('a|b', { anchored: true }).test('b'));
  });

  it('refuses what it cannot express', () => {
    assert.throws(() => compileGoRegExp('(?U)a+'), SyntaxError);
    assert.throws(() => compileGoRegExp('('), SyntaxError);
  });

  it("substitutions follow Go's rules ($1x is the group named 1x; $$ is a dollar)", () => {
    const apply = (re: string, sub: string, s: string) => s.replace(compileGoRegExp(re, { global: true }), new SubstitutionTemplate(sub).replacer);
    assert.equal(apply('(a)(b)', '$2$1', 'ab'), 'ba');
    assert.equal(apply('(a)', '$1x', 'a'), '');
    assert.equal(apply('(a)', '${1}x$$', 'a'), 'ax$');
    assert.equal(apply('(?P<w>a)', '[${w}]', 'aa'), '[a][a]');
  });
});
