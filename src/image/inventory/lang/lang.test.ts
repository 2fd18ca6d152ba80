import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assertNeverCrashes, textFrom } from '../../testing/fuzz.ts';
import { isInstalledPackageJson, parseNpmPackageJson, parsePackageLock } from './npm.ts';
import { normalisePythonName, parsePythonMetadata } from './python.ts';
import { formatPurl } from '../purl.ts';
import { goPurl } from '../build.ts';

describe('npm', () => {
  it('reads lockfile v2/v3 packages, skipping the root, links and dev dependencies', () => {
    const lock = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/express': { version: '4.21.2', license: 'MIT' },
        'node_modules/@types/node': { version: '22.10.2', license: 'MIT' },
        'node_modules/express/node_modules/debug': { version: '2.6.9' },
        'node_modules/jest': { version: '29.7.0', dev: true },
        'node_modules/local': { link: true, resolved: 'packages/local' },
      },
    });
    assert.deepEqual(parsePackageLock(lock, 'lock').map((p) => `${p.name}@${p.version}`), ['express@4.21.2', '@types/node@22.10.2', 'debug@2.6.9']);
  });
  it('reads lockfile v1 nested dependencies', () => {
    const lock = JSON.stringify({ lockfileVersion: 1, dependencies: { a: { version: '1.0.0', dependencies: { b: { version: '2.0.0' } } }, c: { version: '3.0.0', dev: true } } });
    assert.deepEqual(parsePackageLock(lock, 'lock').map((p) => `${p.name}@${p.version}`).sort(), ['a@1.0.0', 'b@2.0.0']);
  });
  it('recognises installed package manifests only', () => {
    assert.ok(isInstalledPackageJson('app/node_modules/express/package.json'));
    assert.ok(isInstalledPackageJson('app/node_modules/@types/node/package.json'));
    assert.ok(isInstalledPackageJson('node_modules/a/node_modules/b/package.json'));
    assert.ok(!isInstalledPackageJson('app/node_modules/express/lib/package.json'));
    assert.ok(!isInstalledPackageJson('app/package.json'));
    assert.deepEqual(parseNpmPackageJson('{"name":"x","version":"1","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}', 'p'), { name: 'x', version: '1', licenses: ['MIT', 'Apache-2.0'] });
    assert.equal(parseNpmPackageJson('{"name":"x"}', 'p'), null);
  });
  it('never crashes (fuzz)', () => {
    assertNeverCrashes(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ lockfileVersion: 3, packages: v })), fc.jsonValue().map((v) => JSON.stringify({ dependencies: v }))), (t) => parsePackageLock(t, 'fuzz'), 500);
    assertNeverCrashes(fc.oneof(fc.string(), fc.json()), (t) => parseNpmPackageJson(t, 'fuzz'), 300);
  });
});

describe('Python metadata', () => {
  it('reads name, version and licence (expression, field, classifiers)', () => {
    assert.deepEqual(parsePythonMetadata('Metadata-Version: 2.4\nName: Flask_Login\nVersion: 0.6.3\nLicense-Expression: MIT\n\nbody'), { name: 'Flask_Login', version: '0.6.3', licenses: ['MIT'] });
    assert.deepEqual(parsePythonMetadata('Name: six\nVersion: 1.16.0\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n'), { name: 'six', version: '1.16.0', licenses: ['MIT License'] });
    assert.equal(parsePythonMetadata('Name: x\n'), null);
    assert.equal(normalisePythonName('Flask_Login.Ext'), 'flask-login-ext');
  });
  it('never crashes (fuzz)', () => assertNeverCrashes(textFrom(['Name: ', 'Version: ', 'License: ', 'Classifier: License :: ', '::']), parsePythonMetadata, 500));
});

describe('purl', () => {
  it('follows the spec examples and encodes as it requires', () => {
    assert.equal(formatPurl({ type: 'deb', namespace: 'debian', name: 'curl', version: '7.50.3-1', qualifiers: { distro: 'jessie', arch: 'i386' } }), 'pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie');
    assert.equal(formatPurl({ type: 'npm', namespace: '@angular', name: 'animation', version: '12.3.1' }), 'pkg:npm/%40angular/animation@12.3.1');
    assert.equal(formatPurl({ type: 'deb', namespace: 'debian', name: 'libc6', version: '1:2.36-9+deb12u4', qualifiers: { arch: 'amd64' } }), 'pkg:deb/debian/libc6@1:2.36-9%2Bdeb12u4?arch=amd64');
    assert.equal(goPurl('github.com/google/uuid', 'v1.6.0'), 'pkg:golang/github.com/google/uuid@v1.6.0');
    assert.equal(goPurl('stdlib', 'v1.26.8'), 'pkg:golang/stdlib@v1.26.8');
    assert.equal(formatPurl({ type: 'maven', namespace: 'org.apache.commons', name: 'commons-lang3', version: '3.14.0' }), 'pkg:maven/org.apache.commons/commons-lang3@3.14.0');
  });
});
