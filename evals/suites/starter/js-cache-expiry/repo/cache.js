'use strict';

// A cache in front of `load(key)`: each value is kept for `ttlMs` milliseconds after it
// was loaded, then loaded again. `now` is the clock (the tests pass their own).
function createCache(load, { ttlMs, now = Date.now }) {
  const entries = new Map();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry && now() - entry.at < ttlMs) {
        entry.at = now();
        return entry.value;
      }
      const value = load(key);
      entries.set(key, { value, at: now() });
      return value;
    },
    clear() {
      entries.clear();
    },
  };
}

module.exports = { createCache };
