'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { parseQuery } = require('../query');

test('plain parameters', () => {
  assert.deepStrictEqual(parseQuery('?q=shoes&page=2'), { q: 'shoes', page: '2' });
  assert.deepStrictEqual(parseQuery(''), {});
});
