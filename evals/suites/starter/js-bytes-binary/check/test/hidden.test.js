'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { formatBytes } = require('../bytes');

test('binary units step by 1024', () => {
  assert.strictEqual(formatBytes(1536, { binary: true }), '1.5 KiB');
  assert.strictEqual(formatBytes(1048576, { binary: true }), '1 MiB');
  assert.strictEqual(formatBytes(1023, { binary: true }), '1023 B');
  assert.strictEqual(formatBytes(1000, { binary: true }), '1000 B');
});

test('binary units up to tebibytes', () => {
  assert.strictEqual(formatBytes(3 * 1024 ** 3, { binary: true }), '3 GiB');
  assert.strictEqual(formatBytes(2048 * 1024 ** 4, { binary: true }), '2048 TiB');
});

test('decimal units stay the default', () => {
  assert.strictEqual(formatBytes(1536), '1.5 kB');
  assert.strictEqual(formatBytes(1536, {}), '1.5 kB');
  assert.strictEqual(formatBytes(1536, { binary: false }), '1.5 kB');
});
