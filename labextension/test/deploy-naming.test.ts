// Unit tests of the deploy wizard's service name: the default from the
// notebook's name (as the server's default_name), its check as typed (the
// server's NAME_RE), and the words that say a deploy replaces a service.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { IService } from '../src/deploy/api';
import {
  replaceNotice,
  replacedService,
  serviceNameFor,
  serviceNameProblem
} from '../src/deploy/naming';

// a TranslationBundle stand-in: gettext's %1 substitution, no translation
const trans = {
  __: (s: string, ...args: unknown[]) =>
    s.replace(/%(\d+)/g, (_, i) => String(args[Number(i) - 1]))
} as any;

function service(
  name: string,
  version: 'dev' | 'prod',
  state: IService['state']
): IService {
  return {
    id: `${name}-${version}`,
    name,
    version,
    state,
    backend: 'local',
    replicas: 1,
    port: 1,
    url: '',
    proxy: '',
    created: 0,
    files: []
  };
}

test('the default service name is the notebook name made a valid name', () => {
  assert.equal(serviceNameFor('mnist/deploy_mnist.ipynb'), 'deploy_mnist');
  assert.equal(serviceNameFor('a/b/My Model (v2).ipynb'), 'my-model-v2');
  assert.equal(serviceNameFor('__Über.ipynb'), 'ber');
  assert.equal(serviceNameFor('深度.ipynb'), 'app');
  const long = serviceNameFor(`${'x'.repeat(80)}.ipynb`);
  assert.equal(long, 'x'.repeat(63));
  // two notebooks in one folder: two names, so two services
  assert.notEqual(
    serviceNameFor('p/train.ipynb'),
    serviceNameFor('p/serve.ipynb')
  );
  for (const p of [
    'a/My Model (v2).ipynb',
    '-x-.ipynb',
    `${'y'.repeat(99)}.ipynb`
  ]) {
    assert.equal(serviceNameProblem(serviceNameFor(p), trans), '', p);
  }
});

test('a service name is checked as the server does', () => {
  assert.equal(serviceNameProblem('mnist-dev_2', trans), '');
  assert.match(serviceNameProblem('', trans), /needs a name/);
  assert.match(serviceNameProblem('Mnist', trans), /lowercase/);
  assert.match(serviceNameProblem('-mnist', trans), /starting with/);
  assert.match(serviceNameProblem('a b', trans), /lowercase/);
  assert.match(serviceNameProblem('a'.repeat(64), trans), /At most 63 .*64/);
  assert.equal(serviceNameProblem('a'.repeat(63), trans), '');
});

test('deploying over an existing service says so in words', () => {
  const services = [
    service('mnist', 'dev', 'running'),
    service('iris', 'prod', 'stopped'),
    service('text', 'dev', 'failed')
  ];
  assert.equal(
    replaceNotice('mnist', 'dev', services, trans),
    'A service named mnist-dev is running; deploying replaces it (same address).'
  );
  assert.match(
    replaceNotice('iris', 'prod', services, trans),
    /iris-prod exists \(stopped\); deploying replaces it/
  );
  assert.match(
    replaceNotice('text', 'dev', services, trans),
    /text-dev exists \(failed\)/
  );
  // another version or another name is a new service: nothing to say
  assert.equal(replaceNotice('mnist', 'prod', services, trans), '');
  assert.equal(replaceNotice('mnist2', 'dev', services, trans), '');
  assert.equal(replaceNotice('mnist', 'dev', [], trans), '');
  assert.equal(replacedService('iris', 'prod', services)?.id, 'iris-prod');
});
