'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { createCache } = require('../cache');

test('a second read within the ttl is cached', () => {
  let loads = 0;
  const cache = createCache((key) => `${key}:${++loads}`, { ttlMs: 1000, now: () => 0 });
  assert.strictEqual(cache.get('eur'), 'eur:1');
  assert.strictEqual(cache.get('eur'), 'eur:1');
  assert.strictEqual(cache.get('usd'), 'usd:2');
});
