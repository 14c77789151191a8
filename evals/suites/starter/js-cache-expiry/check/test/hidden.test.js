'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { createCache } = require('../cache');

function clockAt() {
  let t = 0;
  return { now: () => t, set: (ms) => { t = ms; } };
}

test('a value is loaded again once it is ttl old, however often it is read', () => {
  let loads = 0;
  const clock = clockAt();
  const cache = createCache(() => ++loads, { ttlMs: 1000, now: clock.now });
  for (const t of [0, 400, 800, 1200]) {
    clock.set(t);
    cache.get('eur');
  }
  assert.strictEqual(loads, 2);
  clock.set(1900);
  assert.strictEqual(cache.get('eur'), 2);
  clock.set(2300);
  assert.strictEqual(cache.get('eur'), 3);
});

test('a value is fresh until its ttl is over', () => {
  let loads = 0;
  const clock = clockAt();
  const cache = createCache(() => ++loads, { ttlMs: 1000, now: clock.now });
  cache.get('eur');
  clock.set(999);
  assert.strictEqual(cache.get('eur'), 1);
  clock.set(5000);
  assert.strictEqual(cache.get('eur'), 2);
});
