'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { parseQuery } = require('../query');

test('plus signs and escapes are decoded', () => {
  assert.deepStrictEqual(parseQuery('?q=red+shoes&sort=price%20asc'), { q: 'red shoes', sort: 'price asc' });
  assert.deepStrictEqual(parseQuery('q=caf%C3%A9&off=50%25'), { q: 'café', off: '50%' });
  assert.deepStrictEqual(parseQuery('?shoe+size=42'), { 'shoe size': '42' });
});

test('an equals sign inside a value is kept', () => {
  assert.deepStrictEqual(parseQuery('?token=YWJjZA==&next=a%3Db'), { token: 'YWJjZA==', next: 'a=b' });
});

test('a key without a value is empty', () => {
  assert.deepStrictEqual(parseQuery('?debug&q=x'), { debug: '', q: 'x' });
});
