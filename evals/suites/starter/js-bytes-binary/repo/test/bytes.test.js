'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { formatBytes } = require('../bytes');

test('sizes in decimal units', () => {
  assert.strictEqual(formatBytes(999), '999 B');
  assert.strictEqual(formatBytes(1500), '1.5 kB');
  assert.strictEqual(formatBytes(2000000), '2 MB');
});
