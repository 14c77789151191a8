'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { slugify } = require('../slug');

test('accented letters keep their base letter', () => {
  assert.strictEqual(slugify('Crème brûlée à la carte'), 'creme-brulee-a-la-carte');
});

test('digits and spaces still work', () => {
  assert.strictEqual(slugify('  Top 10 Cafés  '), 'top-10-cafes');
});
