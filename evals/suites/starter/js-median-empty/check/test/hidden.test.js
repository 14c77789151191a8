'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { median } = require('../median');

test('no values have no median', () => {
  assert.strictEqual(median([]), null);
});
