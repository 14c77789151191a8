'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { median } = require('../median');

test('odd and even lists', () => {
  assert.strictEqual(median([3, 1, 2]), 2);
  assert.strictEqual(median([4, 1, 3, 2]), 2.5);
});
