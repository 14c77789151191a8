'use strict';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

// A size in bytes as people read it: formatBytes(1500) is '1.5 kB', formatBytes(999) is
// '999 B'. One decimal at most, and none when it would be 0.
function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const number = unit === 0 ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${number} ${UNITS[unit]}`;
}

module.exports = { formatBytes };
