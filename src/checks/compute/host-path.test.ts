import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalizeHostPath, runtimeSocketExposed, sensitiveHostPath } from './host-path.ts';

describe('host paths', () => {
  it('normalise as the kubelet resolves them', () => {
    assert.equal(normalizeHostPath('//var/./lib//kubelet/'), '/var/lib/kubelet');
    assert.equal(normalizeHostPath('/'), '/');
    assert.equal(normalizeHostPath('///'), '/');
    assert.equal(normalizeHostPath('C:\\data'), undefined);
    assert.equal(normalizeHostPath('relative/path'), undefined);
  });

  it('find runtime sockets, and directories that hold one', () => {
    assert.equal(runtimeSocketExposed('/var/run/docker.sock'), '/var/run/docker.sock');
    assert.equal(runtimeSocketExposed('/run/containerd/containerd.sock/'), '/run/containerd/containerd.sock');
    assert.equal(runtimeSocketExposed('/var/run/crio/crio.sock'), '/var/run/crio/crio.sock');
    assert.equal(runtimeSocketExposed('/run'), '/run/docker.sock');
    assert.equal(runtimeSocketExposed('/run/k3s'), '/run/k3s/containerd/containerd.sock');
    assert.equal(runtimeSocketExposed('\\\\.\\pipe\\docker_engine'), '\\\\.\\pipe\\docker_engine');
    assert.equal(runtimeSocketExposed('/'), undefined, '/ is reported as the whole filesystem');
    assert.equal(runtimeSocketExposed('/var'), undefined);
    assert.equal(runtimeSocketExposed('/run/agent'), undefined);
    assert.equal(runtimeSocketExposed('/var/run/docker.sock.bak'), undefined);
  });

  it('explain why sensitive paths are sensitive', () => {
    assert.match(sensitiveHostPath('/')!, /whole filesystem/);
    assert.match(sensitiveHostPath('/etc/kubernetes/pki')!, /cluster credentials/);
    assert.match(sensitiveHostPath('/etc')!, /host configuration/);
    assert.match(sensitiveHostPath('/etc/ssl')!, /host configuration/, 'holds /etc/ssl/private');
    assert.match(sensitiveHostPath('/var')!, /contains \/var\/lib\/kubelet/);
    assert.match(sensitiveHostPath('/var/lib/kubelet/pods')!, /kubelet/);
    assert.match(sensitiveHostPath('/home/ci/.aws/credentials')!, /AWS/);
    assert.match(sensitiveHostPath('/opt/builder/.docker/config.json')!, /registry credentials/);
    assert.match(sensitiveHostPath('/.config/gcloud')!, /Google Cloud/);
    assert.match(sensitiveHostPath('/proc/sys/kernel')!, /kernel/);
    assert.match(sensitiveHostPath('/var/log/pods')!, /logs/);
  });

  it('leave ordinary and benign paths alone', () => {
    for (const path of ['/etc/ssl/certs', '/etc/localtime', '/etc/pki/ca-trust/extracted', '/srv/data', '/var/lib/app', '/mnt/disks/ssd0', '/run/agent', '/var/lib/kubeletx']) {
      assert.equal(sensitiveHostPath(path), undefined, path);
    }
  });

  it('never throw on any path', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (path) => {
        sensitiveHostPath(path);
        runtimeSocketExposed(path);
      }),
      { numRuns: 2000 },
    );
  });
});
