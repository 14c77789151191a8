'use strict';

/**
 * The whole numbers from `start` to `end`, both included, `step` apart.
 * range(1, 5) is [1, 2, 3, 4, 5].
 */
function range(start, end, step = 1) {
  const out = [];
  for (let i = start; i < end; i += step) {
    out.push(i);
  }
  return out;
}

module.exports = { range };
