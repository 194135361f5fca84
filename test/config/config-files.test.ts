import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadConfigFile, parseConfigText } from '../../core/config/config-loader';
import { fixturePath, problemsOf, removeTempConfigs, writeTempConfig } from './config-fixtures';

after(removeTempConfigs);

test('YAML is accepted and reads the same as the JSON', () => {
  assert.deepEqual(loadConfigFile(fixturePath('mosn-full.yaml')), loadConfigFile(fixturePath('mosn-full.json')));
});

test('.yml files and extension-less YAML text are read as YAML', () => {
  const yaml = 'servers:\n  - listeners:\n      - name: l\n        address: 127.0.0.1:2045\n';
  const expected = { servers: [{ listeners: [{ name: 'l', address: '127.0.0.1:2045' }] }] };
  assert.deepEqual(loadConfigFile(writeTempConfig('mosn.yml', yaml)), expected);
  assert.deepEqual(parseConfigText(yaml, 'admin-api'), expected);
});

test('YAML values are validated like JSON ones, by JSON path', () => {
  const yaml = 'servers:\n  - listeners:\n      - address: 127.0.0.1:99999\n        bind_port: yes\n';
  assert.deepEqual(problemsOf(() => parseConfigText(yaml, 'x.yaml')), [
    'servers[0].listeners[0].address: "127.0.0.1:99999" is not a valid address',
    'servers[0].listeners[0].bind_port: must be a boolean, got "yes"',
  ]);
});

test('malformed JSON names the file and the line:column of the error', () => {
  const file = writeTempConfig('bad.json', '{\n  "servers": [\n    { "listeners": x }\n  ]\n}\n');
  assert.deepEqual(problemsOf(() => loadConfigFile(file)), [`${file}:3:20: Unexpected token 'x', expected a value`]);
});

test('malformed JSON: the source name is used as given', () => {
  assert.deepEqual(problemsOf(() => parseConfigText('{\n  "pid": "a",\n}\n', 'configs/x.json')), [
    "configs/x.json:3:1: Unexpected token '}', expected a double-quoted property name",
  ]);
  assert.deepEqual(problemsOf(() => parseConfigText('{"pid": "a"', 'configs/x.json')), [
    "configs/x.json:1:12: Unexpected end of input, expected ',' or '}' after property value",
  ]);
});

test('malformed YAML names the file and line:column', () => {
  const problems = problemsOf(() => parseConfigText('servers:\n  - listeners: [a\npid: x\n', 'configs/x.yaml'));
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^configs\/x\.yaml:\d+:\d+: \S/);
  assert.ok(!problems[0].includes('\n'));
});

test('duplicate keys in YAML are an error, not silently merged', () => {
  const problems = problemsOf(() => parseConfigText('pid: a\npid: b\n', 'x.yaml'));
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^x\.yaml:2:1: Map keys must be unique/);
});

test('a missing file is reported as such', () => {
  const file = path.join(path.dirname(writeTempConfig('a.json', '{}')), 'nope.json');
  assert.deepEqual(problemsOf(() => loadConfigFile(file)), [`${file}: no such file`]);
});

test('a directory is not a config file', () => {
  const dir = path.dirname(writeTempConfig('a.json', '{}'));
  assert.deepEqual(problemsOf(() => loadConfigFile(dir)), [`${dir}: is a directory, not a config file`]);
});

test('an empty file is reported, not treated as an empty config', () => {
  const file = writeTempConfig('empty.json', ' \n');
  assert.deepEqual(problemsOf(() => loadConfigFile(file)), [`${file}: the configuration is empty`]);
});

test('a UTF-8 byte order mark does not break JSON', () => {
  assert.deepEqual(loadConfigFile(writeTempConfig('bom.json', '\ufeff{"pid":"x.pid"}')), { pid: 'x.pid' });
});
