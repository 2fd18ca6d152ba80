import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseImageReference } from './image-reference.ts';
import { matchesRegistry, parseRegistryPattern, registryPatterns } from './registry-pattern.ts';

function matches(pattern: string, image: string): boolean {
  const parsed = parseRegistryPattern(pattern);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  const reference = parseImageReference(image);
  assert.ok(reference.ok);
  return matchesRegistry(parsed.pattern, reference.reference);
}

describe('registry patterns', () => {
  it('match hosts exactly, ports included', () => {
    assert.ok(matches('registry.example.com', 'registry.example.com/team/app:1'));
    assert.ok(!matches('registry.example.com', 'registry.example.com:5000/team/app:1'));
    assert.ok(matches('registry.example.com:5000', 'registry.example.com:5000/team/app:1'));
    assert.ok(!matches('registry.example.com', 'registry.example.com.evil.net/app'));
    assert.ok(matches('Registry.Example.com', 'REGISTRY.example.com/app'));
  });

  it('match subdomains with *. but not the domain itself', () => {
    assert.ok(matches('*.corp.example', 'eu.corp.example/app'));
    assert.ok(matches('*.corp.example', 'a.b.corp.example/app'));
    assert.ok(!matches('*.corp.example', 'corp.example/app'));
    assert.ok(!matches('*.corp.example', 'evilcorp.example/app'));
  });

  it('match repository prefixes at a path boundary, with Docker Hub normalised', () => {
    assert.ok(matches('docker.io/bitnami', 'bitnami/redis:7'));
    assert.ok(matches('docker.io/library', 'nginx'));
    assert.ok(matches('index.docker.io/library', 'docker.io/library/nginx'));
    assert.ok(!matches('docker.io/bitnami', 'bitnamix/redis'));
    assert.ok(matches('gcr.io/acme-prod', 'gcr.io/acme-prod/api/server:2'));
    assert.ok(matches('docker.io', 'nginx'));
  });

  it('refuse entries that are not registries, saying what to write', () => {
    const message = (text: string) => {
      const result = parseRegistryPattern(text);
      assert.ok(!result.ok, `${text} should be refused`);
      return result.message;
    };
    assert.match(message('bitnami'), /docker\.io\/bitnami/);
    assert.match(message('https://registry.example.com'), /without a scheme/);
    assert.match(message('registry.example.com:http'), /port/);
    assert.match(message('registry_example.com'), /host name/);
    assert.match(message('registry.example.com/Team'), /repository prefix/);
    assert.match(message(''), /1 to 300/);
    assert.match(message('*.[::1]'), /wildcard/);
  });

  it('never throw on any input, and skip what does not parse when matching', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const result = parseRegistryPattern(text);
        assert.ok(result.ok || result.message.length > 0);
      }),
      { numRuns: 2000 },
    );
    assert.equal(registryPatterns(['registry.example.com', 'not a registry']).length, 1);
  });
});
