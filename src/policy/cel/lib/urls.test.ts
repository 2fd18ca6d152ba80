// Conformance of the Kubernetes URL library, with the examples of its documentation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evalError, value } from '../testing/run.ts';

describe('kubernetes url library', () => {
  it('url and isURL accept absolute URIs and absolute paths only', () => {
    assert.equal(value("isURL('https://user:pass@example.com:80/path?query=val#fragment')"), true);
    assert.equal(value("isURL('/absolute-path')"), true);
    assert.equal(value("isURL('https://a:b:c/')"), false);
    assert.equal(value("isURL('../relative-path')"), false);
    assert.equal(value("isURL('')"), false);
    assert.equal(value("isURL('mailto:someone@example.com')"), true, 'an opaque URI with a scheme');
    assert.equal(value("isURL('http://exa mple.com/')"), false, 'a space in the host');
    assert.equal(value("isURL('http://example.com/%zz')"), false, 'a bad escape');
    assert.match(evalError("url('../relative-path')").message, /URL parse error/);
    assert.match(evalError("url('https://a:b:c/')").message, /invalid port/);
  });

  it('getScheme, getHost, getHostname, getPort', () => {
    assert.equal(value("url('/path').getScheme()"), '');
    assert.equal(value("url('https://example.com/').getScheme()"), 'https');
    assert.equal(value("url('HTTPS://example.com/').getScheme()"), 'https');
    assert.equal(value("url('https://example.com:80/').getHost()"), 'example.com:80');
    assert.equal(value("url('https://example.com/').getHost()"), 'example.com');
    assert.equal(value("url('https://[::1]:80/').getHost()"), '[::1]:80');
    assert.equal(value("url('https://[::1]/').getHost()"), '[::1]');
    assert.equal(value("url('/path').getHost()"), '');
    assert.equal(value("url('https://example.com:80/').getHostname()"), 'example.com');
    assert.equal(value("url('https://127.0.0.1:80/').getHostname()"), '127.0.0.1');
    assert.equal(value("url('https://[::1]:80/').getHostname()"), '::1');
    assert.equal(value("url('/path').getHostname()"), '');
    assert.equal(value("url('https://example.com:80/').getPort()"), '80');
    assert.equal(value("url('https://example.com/').getPort()"), '');
    assert.equal(value("url('/path').getPort()"), '');
  });

  it('getEscapedPath', () => {
    assert.equal(value("url('https://example.com/path').getEscapedPath()"), '/path');
    assert.equal(value("url('https://example.com/path with spaces/').getEscapedPath()"), '/path%20with%20spaces/');
    assert.equal(value("url('https://example.com').getEscapedPath()"), '');
    assert.equal(value("url('https://example.com/a%2Fb').getEscapedPath()"), '/a%2Fb', 'an encoding the path was written with is kept');
  });

  it('getQuery', () => {
    assert.deepEqual(value("url('https://example.com/path?k1=a&k2=b&k2=c').getQuery()"), { k1: ['a'], k2: ['b', 'c'] });
    assert.deepEqual(value("url('https://example.com/path?key with spaces=value with spaces').getQuery()"), { 'key with spaces': ['value with spaces'] });
    assert.deepEqual(value("url('https://example.com/path?').getQuery()"), {});
    assert.deepEqual(value("url('https://example.com/path').getQuery()"), {});
    assert.deepEqual(value("url('https://example.com/?a=1+2&b=%41').getQuery()"), { a: ['1 2'], b: ['A'] });
  });

  it('compares URLs by their text', () => {
    assert.equal(value("url('https://example.com/') == url('https://example.com/')"), true);
    assert.equal(value("url('https://example.com/') == url('https://example.com')"), false);
  });
});
