'use strict';

// The parameters of a URL's query string: parseQuery('?q=shoes&page=2') is
// { q: 'shoes', page: '2' }. A key without a value (`?debug`) is the empty string.
function parseQuery(search) {
  const params = {};
  const text = search.startsWith('?') ? search.slice(1) : search;
  for (const pair of text.split('&')) {
    if (pair === '') {
      continue;
    }
    const [key, value = ''] = pair.split('=');
    params[key] = value;
  }
  return params;
}

module.exports = { parseQuery };
