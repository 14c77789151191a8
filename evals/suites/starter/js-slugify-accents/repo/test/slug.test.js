'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { slugify } = require('../slug');

test('plain titles become slugs', () => {
  assert.strictEqual(slugify('Hello, World!'), 'hello-world');
});
