import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { knownControlIds } from '../../checks/catalog.ts';
import { parseImageConfig } from '../oci/manifest.ts';
import { imageConfigChecks, imageControls } from './config.ts';

const config = (raw: object) => parseImageConfig(Buffer.from(JSON.stringify(raw)), 'fixture');

describe('image config checks', () => {
  for (const check of imageConfigChecks) {
    it(`${check.id}: every fail fixture fails, every pass fixture passes`, () => {
      assert.ok(check.fixtures.fail.length > 0 && check.fixtures.pass.length > 0);
      for (const fixture of check.fixtures.fail) assert.ok([...check.evaluate(config(fixture))].length > 0, `${check.id} should fail ${JSON.stringify(fixture)}`);
      for (const fixture of check.fixtures.pass) assert.deepEqual([...check.evaluate(config(fixture))], [], `${check.id} should pass ${JSON.stringify(fixture)}`);
    });
  }

  it('messages never contain secret values', () => {
    const secret = 's3cr3t-passw0rd';
    const raw = { config: { Env: [`DB_PASSWORD=${secret}`] }, history: [{ created_by: `|1 NPM_TOKEN=${secret} /bin/sh -c x` }, { created_by: `mysql --password=${secret}` }] };
    const messages = imageConfigChecks.flatMap((check) => [...check.evaluate(config(raw))].map((v) => v.message));
    assert.ok(messages.length >= 2);
    for (const message of messages) assert.ok(!message.includes(secret), message);
  });

  it('control ids are unique and do not collide with the manifest catalog', () => {
    const ids = imageControls.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.ok(!knownControlIds.has(id), id);
  });
});
