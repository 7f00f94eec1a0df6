// KMS discovery in the recipes is always limited to the department's accounts: `--profile` without `--account`
// would open a section sealed under anyone's KMS key, so whoever can write to the topic could forge a department's
// fields. Both recipes refuse it as a bad argument (exit 2) naming --account, before reading anything.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildJavaRecipe, runJavaRecipe } from './java-recipe.js';
import { runPythonRecipe } from './python-recipe.js';

const ARGS = ['--brokers', '127.0.0.1:41001', '--topic', 'sealpost.sendgrid', '--department', 'support', '--profile', 'reader', '--from-beginning', '--until-end'];

describe('recipes refuse --profile without --account', () => {
  let classpath: string;
  before(() => {
    classpath = buildJavaRecipe();
  });

  test('Java: exit 2, the message names --account, nothing printed', () => {
    const run = runJavaRecipe(classpath, ARGS);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /--profile needs --account ID/);
    assert.deepEqual(run.lines, []);
  });

  test('Python: exit 2, the message names --account, nothing printed', async () => {
    const run = await runPythonRecipe(ARGS);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--profile needs --account ID/);
    assert.deepEqual(run.lines, []);
  });
});
