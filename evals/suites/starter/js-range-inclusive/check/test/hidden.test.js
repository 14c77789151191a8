'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { range } = require('../range');

test('the end is included', () => {
  assert.deepStrictEqual(range(1, 5), [1, 2, 3, 4, 5]);
});

test('steps stop at the end', () => {
  assert.deepStrictEqual(range(0, 10, 5), [0, 5, 10]);
  assert.deepStrictEqual(range(0, 9, 5), [0, 5]);
});
