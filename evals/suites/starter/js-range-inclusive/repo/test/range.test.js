'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { range } = require('../range');

test('an empty range when start is past end', () => {
  assert.deepStrictEqual(range(5, 1), []);
});
