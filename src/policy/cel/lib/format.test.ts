// Conformance of the Kubernetes format library, with the examples of its documentation and the
// API server's own validation messages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTrue, value } from '../testing/run.ts';

describe('kubernetes format library', () => {
  it('accepts the documented valid values', () => {
    allTrue([
      "!format.dns1123Label().validate('my-label-name').hasValue()",
      "!format.dns1123Subdomain().validate('apiextensions.k8s.io').hasValue()",
      "!format.dns1035Label().validate('my-label-name').hasValue()",
      "!format.qualifiedName().validate('apiextensions.k8s.io/v1beta1').hasValue()",
      "!format.dns1123LabelPrefix().validate('my-label-prefix-').hasValue()",
      "!format.dns1123SubdomainPrefix().validate('mysubdomain.prefix.-').hasValue()",
      "!format.dns1035LabelPrefix().validate('my-label-prefix-').hasValue()",
      "!format.uri().validate('http://example.com').hasValue()",
      "!format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()",
      "!format.byte().validate('aGVsbG8=').hasValue()",
      "!format.date().validate('2021-01-01').hasValue()",
      "!format.datetime().validate('2021-01-01T00:00:00Z').hasValue()",
      "!format.labelValue().validate('').hasValue()",
    ]);
  });

  it('reports invalid values with the API server messages', () => {
    assert.deepEqual(value("format.dns1123Label().validate('My_Name').value()"), [
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    assert.deepEqual(value("format.dns1123Label().validate('a.b').value()"), ['must not contain dots']);
    assert.deepEqual(value(`format.dns1123Label().validate('${'a'.repeat(64)}').value()`), ['must be no more than 63 characters']);
    assert.deepEqual(value("format.qualifiedName().validate('/name').value()"), ['prefix part must be non-empty']);
    allTrue([
      "format.dns1035Label().validate('1abc').hasValue()",
      "format.labelValue().validate('-x').hasValue()",
      "format.uuid().validate('not-a-uuid').value() == ['does not match the UUID format']",
      "format.byte().validate('aGVsbG8').value() == ['invalid base64']",
      "format.date().validate('2021-02-30').value() == ['invalid date']",
      "format.datetime().validate('2021-01-01T25:00:00Z').value() == ['invalid datetime']",
      "format.uri().validate('../x').hasValue()",
    ]);
  });

  it('format.named looks a format up by name', () => {
    allTrue([
      "format.named('dns1123Label').hasValue()",
      "!format.named('dns1123Label').value().validate('ok').hasValue()",
      "!format.named('nope').hasValue()",
    ]);
  });

  it('is usable as the documentation suggests in a message', () => {
    assert.equal(
      value("format.dns1123Label().validate(name).orValue(['ok']).join('; ')", { name: 'Bad_Name' }),
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  });
});
